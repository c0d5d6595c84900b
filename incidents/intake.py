"""The workgroup's public intake link: staff without an account report an incident, optionally anonymously.

The link is ``/report/<slug>/<token>/``; the token is a random secret kept on ``IncidentSettings`` (never in
its history). Turning the link on, replacing it and turning it off are audited changes of that row; a replaced
or turned-off link stops working at once. Whoever holds the link can send a report and sees only the
confirmation: nothing of the workgroup's incidents is reachable from it.

Abuse is kept small without accounts:

* a honeypot field and a signed form time stamp (``form_stamp``/``check_stamp``) refuse robots that fill
  every field or post faster than a person can type, and forms opened long ago;
* a limit per client address and one per link (``reserve_submission``), counted in Django's cache. With
  several web processes the cache must be shared (Redis); the local-memory default counts per process.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import IncidentSettings
from incidents.sharing import DEFAULT_JOINT_REVIEW_FIELDS
from toolkit.history import save_validated
from toolkit.models import Workgroup
from toolkit.permissions import Action, require

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest

    from incidents.models import Incident
    from toolkit.models import User

# --- Limits (settings, with these defaults) -------------------------------------------------------------

DEFAULT_RATE_PER_ADDRESS = (5, 60 * 60)  # reports from one client address per hour
DEFAULT_RATE_PER_LINK = (100, 24 * 60 * 60)  # reports through one workgroup's link per day
DEFAULT_FORM_MIN_SECONDS = 3  # nobody reads and fills in the form faster
DEFAULT_FORM_MAX_AGE = 24 * 60 * 60  # a form opened more than a day ago is checked again


def rate_per_address() -> tuple[int, int]:
    """(reports, seconds): ``INCIDENT_INTAKE_RATE_PER_ADDRESS``."""
    return tuple(getattr(settings, "INCIDENT_INTAKE_RATE_PER_ADDRESS", DEFAULT_RATE_PER_ADDRESS))


def rate_per_link() -> tuple[int, int]:
    """(reports, seconds): ``INCIDENT_INTAKE_RATE_PER_LINK``."""
    return tuple(getattr(settings, "INCIDENT_INTAKE_RATE_PER_LINK", DEFAULT_RATE_PER_LINK))


def form_min_seconds() -> float:
    return getattr(settings, "INCIDENT_INTAKE_FORM_MIN_SECONDS", DEFAULT_FORM_MIN_SECONDS)


def form_max_age() -> int:
    return getattr(settings, "INCIDENT_INTAKE_FORM_MAX_AGE", DEFAULT_FORM_MAX_AGE)


# --- Messages ---------------------------------------------------------------------------------------------

MSG_LINK_INVALID = ("This reporting link does not work. It may have been replaced or turned off: ask your "
                    "supervisor or the workgroup's QA team for the current link.")
MSG_LINK_CLOSED = "This workgroup is archived and no longer takes incident reports through this link."
MSG_TOO_FAST = ("That was sent very quickly, so it was not accepted (robots do that). Check what you wrote, "
                "wait a few seconds and send it again.")
MSG_FORM_EXPIRED = ("This form was opened more than a day ago, so it has to be checked again. What you wrote is "
                    "still here: check it and send it again.")
MSG_FORM_UNREADABLE = "The form could not be checked. Send it again; what you wrote is still here."
MSG_HONEYPOT = ("The report was not sent: a field meant to stay empty was filled in (some browsers' autofill "
                "does that). Check what you wrote and send it again.")
MSG_RATE_ADDRESS = ("Too many reports have been sent from this network in the last hour, so this one was not "
                    "sent. Try again later, or tell the QA team directly.")
MSG_RATE_LINK = ("This link has taken as many reports as it takes in a day, so this one was not sent. Try "
                 "again tomorrow, or tell the QA team directly.")
MSG_NO_LINK = "The workgroup has no intake link to replace or turn off."

# --- The link, as QA reviewers and coordinators manage it ------------------------------------------------


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def _settings_for_update(workgroup: Workgroup) -> IncidentSettings | None:
    return IncidentSettings.objects.select_for_update().filter(workgroup=workgroup).first()


def _save(row: IncidentSettings, actor: User, *, token: str, reason: str) -> IncidentSettings:
    """Give the row this token (empty: no link). ``intake_rotated_at`` is when the current link was made (empty
    while there is none): the token is kept out of the history, so that is what the audit trail shows changing."""
    row.intake_token = token
    row.intake_rotated_at = timezone.now() if token else None
    row._change_reason = reason
    return save_validated(row, actor)


@transaction.atomic
def intake_link_enable(*, actor: User, workgroup: Workgroup) -> IncidentSettings:
    """Turn the link on, creating the settings row the first time. If it is on already, nothing changes (a
    second click does not replace it)."""
    require(actor, workgroup, Action.REVIEW_INCIDENTS)
    row = _settings_for_update(workgroup)
    if row is None:
        created = IncidentSettings(workgroup=workgroup, joint_review_fields=list(DEFAULT_JOINT_REVIEW_FIELDS))
        try:
            with transaction.atomic():
                return _save(created, actor, token=_new_token(), reason="Intake link turned on")
        except (IntegrityError, ValidationError):
            # Created meanwhile by someone else (the data-sharing settings, say): carry on with that row.
            row = _settings_for_update(workgroup)
            if row is None:
                raise
    if row.intake_token:
        return row
    return _save(row, actor, token=_new_token(), reason="Intake link turned on")


@transaction.atomic
def intake_link_rotate(*, actor: User, workgroup: Workgroup) -> IncidentSettings:
    """Replace the link: the old one stops working at once."""
    require(actor, workgroup, Action.REVIEW_INCIDENTS)
    row = _settings_for_update(workgroup)
    if row is None or not row.intake_token:
        raise ValidationError(MSG_NO_LINK, code="no_link")
    return _save(row, actor, token=_new_token(), reason="Intake link replaced")


@transaction.atomic
def intake_link_disable(*, actor: User, workgroup: Workgroup) -> IncidentSettings:
    require(actor, workgroup, Action.REVIEW_INCIDENTS)
    row = _settings_for_update(workgroup)
    if row is None or not row.intake_token:
        raise ValidationError(MSG_NO_LINK, code="no_link")
    return _save(row, actor, token="", reason="Intake link turned off")


def intake_url(request: HttpRequest, *, workgroup: Workgroup, token: str) -> str:
    return request.build_absolute_uri(reverse("incidents-public:intake",
                                              kwargs={"slug": workgroup.slug, "link_token": token}))


def workgroup_for_token(*, token: str | None, slug: str) -> Workgroup:
    """The workgroup whose current intake link this is (``token_view``'s resolver).

    A wrong, replaced or turned-off link is "not found" (404) and says nothing about the workgroup; a correct
    link of an archived workgroup is "gone" (410).
    """
    row = IncidentSettings.objects.select_related("workgroup").filter(workgroup__slug=slug).first()
    given = (token or "").encode()
    if row is None or not row.intake_token or not secrets.compare_digest(row.intake_token.encode(), given):
        raise ValidationError(MSG_LINK_INVALID, code="invalid")
    if row.workgroup.is_archived:
        raise ValidationError(MSG_LINK_CLOSED, code="closed")
    return row.workgroup


# --- The form's time stamp ------------------------------------------------------------------------------

STAMP_SALT = "incidents.intake.form-started"


def form_stamp(workgroup: Workgroup, *, issued_at: float | None = None) -> str:
    """A signed "this form was shown at" for the hidden field; bound to the workgroup."""
    return signing.dumps({"w": workgroup.pk, "t": time.time() if issued_at is None else issued_at},
                         salt=STAMP_SALT)


def check_stamp(value: str, workgroup: Workgroup) -> None:
    """Refuse a stamp that is forged, of another workgroup, too fresh (a robot) or more than a day old."""
    try:
        data = signing.loads(value or "", salt=STAMP_SALT, max_age=form_max_age())
    except signing.SignatureExpired:
        raise ValidationError(MSG_FORM_EXPIRED, code="expired") from None
    except signing.BadSignature:
        raise ValidationError(MSG_FORM_UNREADABLE, code="unreadable") from None
    if not isinstance(data, dict) or data.get("w") != workgroup.pk or not isinstance(data.get("t"), int | float):
        raise ValidationError(MSG_FORM_UNREADABLE, code="unreadable")
    elapsed = time.time() - data["t"]
    if elapsed > form_max_age():
        raise ValidationError(MSG_FORM_EXPIRED, code="expired")
    if elapsed < form_min_seconds():
        raise ValidationError(MSG_TOO_FAST, code="too_fast")


# --- Rate limits ----------------------------------------------------------------------------------------


class RateLimited(Exception):
    """Too many reports from one address or through one link; ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind the configured number of reverse proxies (the sign-in
    lockout's ``AXES_PROXY_COUNT``) the entry those proxies added to X-Forwarded-For. Without proxies
    configured the header is ignored: anyone can write it."""
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-proxies] if len(hops) >= proxies else hops[0]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int
    window: int
    message: str


def _counters(*, workgroup: Workgroup, address: str) -> list[_Counter]:
    # Addresses are hashed: the cache needs to tell them apart, not to hold them.
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    per_address, per_link = rate_per_address(), rate_per_link()
    return [
        _Counter(f"incidents:intake:address:{digest}", per_address[0], per_address[1], MSG_RATE_ADDRESS),
        _Counter(f"incidents:intake:link:{workgroup.pk}", per_link[0], per_link[1], MSG_RATE_LINK),
    ]


def reserve_submission(*, workgroup: Workgroup, address: str) -> None:
    """Count one report against both limits, or raise RateLimited (and count nothing) when either is used up."""
    taken: list[_Counter] = []
    for counter in _counters(workgroup=workgroup, address=address):
        cache.add(counter.key, 0, timeout=counter.window)  # the window starts with its first report
        try:
            count = cache.incr(counter.key)
        except ValueError:  # expired between add and incr
            cache.add(counter.key, 1, timeout=counter.window)
            count = 1
        taken.append(counter)
        if count > counter.limit:
            _give_back(taken)
            raise RateLimited(counter.message, retry_after=counter.window)


def release_submission(*, workgroup: Workgroup, address: str) -> None:
    """A report that was refused after all (a mistake in it) does not count against the limits."""
    _give_back(_counters(workgroup=workgroup, address=address))


def _give_back(counters: list[_Counter]) -> None:
    for counter in counters:
        with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
            cache.decr(counter.key)


# --- Submitting -----------------------------------------------------------------------------------------


@transaction.atomic
def intake_submit(*, workgroup: Workgroup, address: str, reporter_name: str = "", reporter_contact: str = "",
                  file: UploadedFile | None = None, **fields) -> Incident:
    """A report through the link, with its attachment, in one transaction; counted against the limits.

    Raises RateLimited before anything is written, or ValidationError (nothing written, nothing counted).
    """
    from incidents.attachments import attachment_add

    reserve_submission(workgroup=workgroup, address=address)
    try:
        with transaction.atomic():
            incident = services.incident_report_from_intake(
                workgroup=workgroup, reporter_name=reporter_name.strip(), reporter_contact=reporter_contact.strip(),
                **fields)
            if file is not None:
                attachment_add(actor=None, incident=incident, upload=file)
    except ValidationError:
        release_submission(workgroup=workgroup, address=address)
        raise
    return incident
