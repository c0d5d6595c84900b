"""E-mail reminders about corrective actions past their due date (sent daily by Celery beat).

One e-mail per person per run, listing their overdue actions: the person assigned to the action, or else
the incident's reviewer. An action is reminded about at most once every REMINDER_GAP, so a daily run
does not fill inboxes; the run is safe to repeat.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from incidents.models import OPEN_ACTION_STATUSES, CorrectiveAction
from toolkit.models import Membership
from toolkit.text import xml_safe

logger = logging.getLogger(__name__)
REMINDER_GAP = timedelta(days=7)


def overdue_action_reminders_send(*, today: date | None = None, base_url: str | None = None) -> int:
    """Send the reminders due today. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    base_url = (base_url or settings.SITE_URL).rstrip("/")
    due = (CorrectiveAction.objects
           .filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today, workgroup__archived_at__isnull=True)
           .filter(Q(last_reminded_on__isnull=True) | Q(last_reminded_on__lte=today - REMINDER_GAP))
           .select_related("incident", "workgroup", "assignee", "incident__reviewer", "owner_organization")
           .order_by("workgroup_id", "due_date", "pk"))
    by_person: dict[int, list[CorrectiveAction]] = defaultdict(list)
    people = {}
    for action in due.iterator(chunk_size=500):
        person = action.assignee or action.incident.reviewer
        if person is None or not person.email or not person.is_active:
            continue
        by_person[person.pk].append(action)
        people[person.pk] = person
    # Only people still in the action's workgroup are reminded (someone who left has no access to it).
    member_of = set(Membership.objects.filter(user_id__in=list(by_person)).values_list("user_id", "workgroup_id"))
    sent = 0
    for person_id, actions in by_person.items():
        actions = [action for action in actions if (person_id, action.workgroup_id) in member_of]
        if not actions:
            continue
        person = people[person_id]
        body = xml_safe(render_to_string("incidents/email/overdue_actions.txt", {
            "person": person, "today": today,
            "actions": [(action, base_url + reverse("incidents:action-update", kwargs={
                "slug": action.workgroup.slug, "incident_id": action.incident_id,
                "corrective_action_id": action.pk})) for action in actions],
        }))
        count = len(actions)
        subject = f"{count} corrective action{'s are' if count != 1 else ' is'} past due"
        try:
            send_mail(subject, body, None, [person.email], fail_silently=False)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            logger.warning("Overdue-action reminder to %s failed: %s", person.email, exc)
            continue
        with transaction.atomic():
            CorrectiveAction.objects.filter(pk__in=[action.pk for action in actions]).update(last_reminded_on=today)
        sent += 1
    return sent
