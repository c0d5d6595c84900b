"""Rows of the incidents area the URL walk needs (``toolkit/tests/url_world.py`` calls ``build``).

Each part of the area adds its own rows in its own function, keyed ``(argument name, workgroup id)``.
"""

from __future__ import annotations

from typing import Any


def build(extra: dict[tuple[str, int], Any], *, workgroup, incident, qa) -> None:
    _review(extra, workgroup=workgroup, incident=incident, qa=qa)
    _attachments_and_intake(extra, workgroup=workgroup, incident=incident, qa=qa)
    _exports(extra, workgroup=workgroup, incident=incident, qa=qa)
    _imports(extra, workgroup=workgroup, incident=incident, qa=qa)


def _review(extra, *, workgroup, incident, qa) -> None:
    """The incident under review with a root cause and one corrective action; a second incident shared with a
    joint reviewer (a member who is none of the walk's people, so what they see is not the walk's business)."""
    from datetime import timedelta

    from django.utils import timezone

    from incidents import services, workflow
    from partners.models import Organization
    from toolkit.models import Membership, Role
    from toolkit.tests.factories import UserFactory

    workflow.incident_triage(actor=qa, incident=incident, reviewer=qa, priority="routine")
    workflow.review_start(actor=qa, incident=incident)
    cause = workflow.root_cause_add(actor=qa, incident=incident, description="The transfer line had no backup.")
    organization = Organization.objects.filter(workgroup=workgroup).order_by("pk").first()
    action = workflow.action_add(actor=qa, incident=incident, root_cause=cause, description="Add a backup line.",
                                 owner_organization=organization, due_date=timezone.localdate() + timedelta(days=30))
    extra[("corrective_action_id", workgroup.pk)] = action.pk

    joint = UserFactory(email=f"joint-reviewer@{workgroup.slug}.example.org")
    Membership.objects.create(user=joint, workgroup=workgroup, role=Role.MEMBER)
    now = timezone.now()
    shared = services.incident_report(
        actor=qa, workgroup=workgroup, incident_class="no_harm", category="failed_transfer",
        occurred_at=now - timedelta(days=2), discovered_at=now - timedelta(days=2), narrative="Warm transfer dropped.",
        organizations=[organization])
    share = workflow.share_add(actor=qa, incident=shared, user=joint, organization=organization)
    extra[("shared_incident_id", workgroup.pk)] = shared.pk
    extra[("share_id", workgroup.pk)] = share.pk


def _attachments_and_intake(extra, *, workgroup, incident, qa) -> None:
    """An attachment on the incident, and the workgroup's intake link token ("intake_token")."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents import attachments, intake

    extra[("intake_token", workgroup.pk)] = intake.intake_link_enable(actor=qa, workgroup=workgroup).intake_token
    transcript = SimpleUploadedFile("transcript.txt", b"14:02 call-taker: warm transfer started.\n")
    extra[("attachment_id", workgroup.pk)] = attachments.attachment_add(actor=qa, incident=incident,
                                                                        upload=transcript).pk


def _exports(extra, *, workgroup, incident, qa) -> None:
    """The export kind the download URL is walked with ("export_kind"), allowed by the workgroup's settings."""
    from incidents.exports import ExportLevel, incident_settings_update
    from toolkit.models import Membership, Role

    coordinator = Membership.objects.filter(workgroup=workgroup, role=Role.COORDINATOR).order_by("pk").first().user
    incident_settings_update(actor=coordinator, workgroup=workgroup, export_level=ExportLevel.DEIDENTIFIED)
    extra[("export_kind", workgroup.pk)] = "deidentified-summary"


def _imports(extra, *, workgroup, incident, qa) -> None:
    """An uploaded incident import waiting for confirmation ("incident_import_id")."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents import imports

    data = (b"Class,Category,Occurred,Reported,Narrative\r\n"
            b"Near miss,Delay,2025-03-04 14:05,2025-03-04 15:00,The transfer line rang out twice.\r\n")
    upload = imports.incident_import_upload(actor=qa, workgroup=workgroup,
                                            file=SimpleUploadedFile("past-incidents.csv", data, "text/csv"))
    extra[("incident_import_id", workgroup.pk)] = upload.pk
