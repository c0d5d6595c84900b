"""Who reads which incident, and which of its fields.

* QA reviewers and coordinators read every incident, every field (``Access.full``).
* The person who reported it reads their own report as they wrote it, its status and open comments.
* Joint reviewers (people an incident is shared with, named from the organizations involved) and legal
  reviewers (for incidents linked to an agreement) read the coded fields always, and the free-text
  fields only where the workgroup's data-sharing settings allow (``IncidentSettings.joint_review_fields``).
* A confidential or quality-improvement privileged incident is read by QA reviewers and coordinators only.

Everything here starts from the permission layer's scoped query (``Incident.objects.restrict``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from incidents.models import Confidentiality, Incident, IncidentSettings, IncidentShare
from toolkit.models import Membership, Role, Workgroup
from toolkit.permissions import Action, role_allows

# Fields a workgroup may open to joint reviewers (the coded fields are always shown to them).
JOINT_REVIEW_FIELDS: list[tuple[str, str]] = [
    ("narrative", "What happened (the narrative)"),
    ("immediate_actions", "What was done at once"),
    ("references", "The partner systems' references (CAD incident number, 988 contact id)"),
    ("findings", "The reviewers' findings"),
    ("root_causes", "Root causes and corrective actions"),
    ("comments", "Comments that are not internal to QA"),
]
JOINT_REVIEW_FIELD_NAMES = frozenset(name for name, _ in JOINT_REVIEW_FIELDS)
DEFAULT_JOINT_REVIEW_FIELDS = ("root_causes", "comments")


def incident_settings(*, workgroup: Workgroup) -> IncidentSettings:
    """The workgroup's settings, or the defaults (unsaved: reading never writes)."""
    found = IncidentSettings.objects.filter(workgroup=workgroup).first()
    return found or IncidentSettings(workgroup=workgroup, joint_review_fields=list(DEFAULT_JOINT_REVIEW_FIELDS))


def sees_every_incident(membership: Membership | None) -> bool:
    """QA reviewers and coordinators read every report (also once the workgroup is archived)."""
    return membership is not None and role_allows(membership.role, Action.REVIEW_INCIDENTS)


def reads_own_incidents(membership: Membership | None) -> bool:
    """Members, legal reviewers (and QA) may report, and read the reports they made."""
    return membership is not None and role_allows(membership.role, Action.REPORT_INCIDENTS)


def readable_incidents(membership: Membership | None) -> QuerySet[Incident]:
    """Every incident this person may open, unordered: the one rule the list, the pages and downloads share."""
    incidents = Incident.objects.restrict(membership, Action.VIEW_WORKGROUP)
    if sees_every_incident(membership):
        return incidents
    if membership is None:
        return incidents.none()
    shared = Exists(IncidentShare.objects.filter(incident=OuterRef("pk"), user_id=membership.user_id))
    rule = Q(shared)
    if reads_own_incidents(membership):
        rule |= Q(reported_by_id=membership.user_id)
    if membership.role == Role.LEGAL_REVIEWER:
        rule |= Q(Exists(Incident.agreements.through.objects.filter(incident_id=OuterRef("pk"))))
    return incidents.filter(rule, confidentiality=Confidentiality.NORMAL)


def reads_some_incidents(membership: Membership | None) -> bool:
    """Whether the incident list is worth showing at all (a viewer may still have incidents shared with them)."""
    if membership is None:
        return False
    if reads_own_incidents(membership):
        return True
    return IncidentShare.objects.filter(user_id=membership.user_id,
                                        incident__workgroup_id=membership.workgroup_id).exists()


@dataclass(frozen=True)
class Access:
    """What one person sees of one incident. ``shows(name)`` for the optional fields."""

    full: bool = False  # QA reviewers and coordinators
    reporter: bool = False  # the person who reported it
    partner: bool = False  # a joint reviewer or a legal reviewer of a linked agreement
    fields: frozenset[str] = field(default_factory=frozenset)

    def shows(self, name: str) -> bool:
        return self.full or name in self.fields

    @property
    def narrative(self) -> bool:
        return self.shows("narrative")

    @property
    def immediate_actions(self) -> bool:
        return self.shows("immediate_actions")

    @property
    def references(self) -> bool:
        return self.shows("references")

    @property
    def findings(self) -> bool:
        return self.shows("findings")

    @property
    def root_causes(self) -> bool:
        return self.shows("root_causes")

    @property
    def comments(self) -> bool:
        return self.shows("comments")

    @property
    def reporter_identity(self) -> bool:
        """Who reported it: QA only (it is never shared or exported)."""
        return self.full


def access_to(*, membership: Membership, incident: Incident, settings: IncidentSettings | None = None) -> Access:
    """Call only for an incident ``readable_incidents`` returned for this membership."""
    if sees_every_incident(membership):
        return Access(full=True)
    if incident.reported_by_id == membership.user_id and reads_own_incidents(membership):
        # They wrote it: their own words back, and the comments QA addressed to everyone.
        return Access(reporter=True, fields=frozenset({"narrative", "immediate_actions", "references", "comments"}))
    settings = settings or incident_settings(workgroup=membership.workgroup)
    allowed = frozenset(settings.joint_review_fields) & JOINT_REVIEW_FIELD_NAMES
    return Access(partner=True, fields=allowed)
