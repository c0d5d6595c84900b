"""A world for the URL walk: two fully seeded workgroups, one person per role, and how to build any URL argument.

``ARGUMENTS`` is the registry keyed by URL argument name: each entry turns (world, workgroup) into
the value for that argument, from a real row of that workgroup. A URL whose argument has no entry
fails the walk loudly, so a new view cannot slip past it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from toolkit import services
from toolkit.models import Invitation, Job, JobStatus, Membership, Role, User, Workgroup
from toolkit.reports import WORKGROUP_SUMMARY
from toolkit.tests.factories import UserFactory

ROLES = [Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER, Role.VIEWER]
SECRET = "Elsewhere Secret"  # every name in the other workgroup carries it; no page of ours may show it


@dataclass
class World:
    ours: Workgroup
    theirs: Workgroup
    people: dict[str, User]  # one per role in ours, plus "outsider": coordinator of theirs
    staff: User
    extra: dict[tuple[str, int], Any] = field(default_factory=dict)  # (argument, workgroup id) -> value


def _first(label: str, workgroup: Workgroup, **filters) -> int:
    model = apps.get_model(label)
    lookup = getattr(model, "workgroup_lookup", "workgroup_id")
    row = model._default_manager.filter(**{lookup: workgroup.pk}, **filters).order_by("pk").first()
    if row is None:
        raise LookupError(f"The world has no {label} in {workgroup} ({filters}); add one in build_world().")
    return row.pk


def _pk(label: str, **filters) -> Callable[[World, Workgroup], int]:
    return lambda world, workgroup: _first(label, workgroup, **filters)


def _extra(name: str) -> Callable[[World, Workgroup], Any]:
    return lambda world, workgroup: world.extra[(name, workgroup.pk)]


def _viewer(world: World) -> User:
    return world.people[Role.VIEWER]


ARGUMENTS: dict[str, Callable[[World, Workgroup], Any]] = {
    # toolkit
    "slug": lambda world, workgroup: workgroup.slug,
    "membership_id": _extra("membership_id"),
    "invitation_id": _extra("invitation_id"),
    "invitation_token": _extra("invitation_token"),
    "job_id": _extra("job_id"),
    "job_kind": lambda world, workgroup: WORKGROUP_SUMMARY,
    "topic": lambda world, workgroup: "getting-started",
    "uidb64": lambda world, workgroup: urlsafe_base64_encode(force_bytes(_viewer(world).pk)),
    "token": lambda world, workgroup: default_token_generator.make_token(_viewer(world)),
    # partners
    "organization_id": _pk("partners.Organization"),
    "contact_id": _pk("partners.Contact"),
    "sector_id": _extra("sector_id"),
    "function_id": _pk("partners.InteropFunction"),
    "directory_import_id": _extra("directory_import_id"),
    # readiness
    "round_id": _pk("readiness.AssessmentRound"),
    "respondent_id": _pk("readiness.Respondent"),
    "instrument_id": _pk("readiness.Instrument"),
    "instrument_version_id": _extra("instrument_version_id"),
    "dimension_id": _extra("dimension_id"),
    "item_id": _extra("item_id"),
    "action_item_id": _pk("readiness.ActionItem"),
    "link_token": _extra("link_token"),
    # agreements
    "agreement_id": _pk("agreements.Agreement"),
    "version_number": lambda world, workgroup: 1,
    "comment_id": _pk("agreements.ReviewComment"),
    "packet_id": _extra("packet_id"),
    "word_import_id": _extra("word_import_id"),
    # incidents
    "incident_id": _extra("incident_id"),
    "corrective_action_id": _extra("corrective_action_id"),
    "share_id": _extra("share_id"),
    "attachment_id": _extra("attachment_id"),
    "incident_import_id": _extra("incident_import_id"),
    "export_kind": _extra("export_kind"),
    # triage
    "protocol_id": _pk("triage.Protocol"),
    "protocol_version_id": _extra("protocol_version_id"),
    "node_id": _extra("node_id"),
    "option_id": _extra("option_id"),
    "risk_level_id": _extra("risk_level_id"),
    "scenario_id": _extra("scenario_id"),
    "signatory_id": _extra("signatory_id"),
    "rule_id": _extra("rule_id"),
    "criterion_id": _extra("criterion_id"),
    # transfers and the routing directory (the demo seeds both), the API
    "transfer_id": _pk("triage.Transfer"),
    "transfer_import_id": _extra("transfer_import_id"),
    "transfer_line_id": _pk("partners.TransferLine"),
    "api_token_id": _extra("api_token_id"),
    # Django's admin: people who are not staff are sent to its sign-in page before any look-up.
    "app_label": lambda world, workgroup: "toolkit",
    "object_id": lambda world, workgroup: str(workgroup.pk),
    "content_type_id": lambda world, workgroup: 1,
    "id": lambda world, workgroup: str(world.staff.pk),
    "url": lambda world, workgroup: "nowhere/",
}


# Some pages need a row in a particular state (an agreement still in draft, a round still open); the
# walk takes these for the named routes, and ARGUMENTS for everything else.
ROUTE_ARGUMENTS: dict[str, dict[str, Callable[[World, Workgroup], Any]]] = {
    "agreements:agreement-edit": {"agreement_id": _extra("draft_agreement_id")},
    "agreements:signatures": {"agreement_id": _extra("approved_agreement_id")},
    "agreements:execute": {"agreement_id": _extra("approved_agreement_id")},
    "agreements:signed-scan-download": {"agreement_id": _extra("approved_agreement_id")},
    **{route: {"agreement_id": _extra("packet_agreement_id")} for route in (
        "agreements:packet-detail", "agreements:packet-download", "agreements:packet-retry",
        "agreements:packet-delete")},
    "readiness:respond": {"round_id": _extra("open_round_id")},
    "triage:approval-create": {"protocol_version_id": _extra("in_review_version_id")},
    "triage:version-approve": {"protocol_version_id": _extra("in_review_version_id")},
    "triage:version-return": {"protocol_version_id": _extra("in_review_version_id")},
    "incidents-public:intake": {"link_token": _extra("intake_token")},
    "agreements-public:party-approval-link": {"link_token": _extra("counsel_link_token")},
    **{route: {"agreement_id": _extra("draft_agreement_id")} for route in (
        "agreements:word-import-detail", "agreements:word-import-apply")},
    "incidents:share-remove": {"incident_id": _extra("shared_incident_id")},
}


def argument(world: World, route_key: str, name: str, workgroup: Workgroup) -> Any:
    builder = ROUTE_ARGUMENTS.get(route_key, {}).get(name) or ARGUMENTS[name]
    return builder(world, workgroup)


def _person(workgroup: Workgroup, role: str, email: str) -> User:
    user = UserFactory(email=email, first_name=role.replace("_", " ").title(), last_name=workgroup.slug.title())
    Membership.objects.create(user=user, workgroup=workgroup, role=role)
    return user


def _seed(workgroup: Workgroup, actor: User, reviewer_email: str) -> None:
    """The apps' own demo data (the same `manage.py seed_demo` uses), with this workgroup's legal reviewer."""
    import agreements.demo

    with mock.patch.object(agreements.demo, "REVIEWER_EMAIL", reviewer_email):
        for app_config in apps.get_app_configs():
            if hasattr(app_config, "seed_demo"):
                app_config.seed_demo(workgroup=workgroup, actor=actor)
        for app_config in apps.get_app_configs():
            if hasattr(app_config, "seed_demo_last"):
                app_config.seed_demo_last(workgroup=workgroup, actor=actor)


def _mark_theirs(workgroup: Workgroup) -> None:
    """Give the other workgroup's rows names no page of ours may ever show."""
    for label, name_field in (("partners.Organization", "name"), ("agreements.Agreement", "title"),
                              ("triage.Protocol", "name"), ("readiness.AssessmentRound", "title")):
        model = apps.get_model(label)
        for row in model._default_manager.filter(workgroup=workgroup):
            model._default_manager.filter(pk=row.pk).update(**{name_field: f"{SECRET} {getattr(row, name_field)}"})


def _finished_job(workgroup: Workgroup, user: User) -> Job:
    job = Job.objects.create(workgroup=workgroup, kind=WORKGROUP_SUMMARY, status=JobStatus.SUCCEEDED, progress=100,
                             requested_by=user, finished_at=timezone.now())
    job.result.save("summary.pdf", ContentFile(b"%PDF-1.7 test"))
    return job


def _extras(world: World, workgroup: Workgroup, coordinator: User, invitee: str) -> None:
    """Rows the demo data does not have, or particular ones (a draft to edit, a link respondent)."""
    extra = world.extra
    wid = workgroup.pk
    viewer = Membership.objects.filter(workgroup=workgroup, role=Role.VIEWER).first()
    extra[("membership_id", wid)] = viewer.pk
    invitation = Invitation.objects.create(workgroup=workgroup, email=invitee, role=Role.MEMBER, invited_by=coordinator,
                                           expires_at=timezone.now() + timezone.timedelta(days=7))
    extra[("invitation_id", wid)] = invitation.pk
    extra[("invitation_token", wid)] = services.invitation_token(invitation)
    extra[("job_id", wid)] = _finished_job(workgroup, coordinator).pk
    _partner_extras(extra, workgroup, coordinator)
    _readiness_extras(extra, workgroup, coordinator)
    _triage_extras(extra, workgroup, coordinator)
    _agreement_extras(extra, workgroup, coordinator)
    _incident_extras(extra, workgroup)
    _transfer_extras(extra, workgroup, coordinator)


def _transfer_extras(extra: dict, workgroup: Workgroup, coordinator: User) -> None:
    """A partner's small export uploaded but not yet mapped, and a write key for the API keys page."""
    from partners.models import Organization
    from toolkit.models import ApiScope
    from toolkit.services.api_tokens import api_token_create
    from triage.transfers.imports import transfer_import_upload

    partner = Organization.objects.filter(workgroup=workgroup).order_by("pk").first()
    data = (b"Call ID,Direction,From,To,Initiated,Result\n"
            b"CAD-1,911 to 988,Metro 911,Harbor Crisis Line,2025-03-04 14:05,accepted\n")
    extra[("transfer_import_id", workgroup.pk)] = transfer_import_upload(
        actor=coordinator, workgroup=workgroup, organization=partner,
        file=ContentFile(data, name="cad.csv")).pk
    token, _key = api_token_create(actor=coordinator, workgroup=workgroup, name=f"{workgroup.name} CAD export",
                                   scope=ApiScope.WRITE)
    extra[("api_token_id", workgroup.pk)] = token.pk


def _incident_extras(extra: dict, workgroup: Workgroup) -> None:
    """A report made by the workgroup's QA reviewer (members and legal reviewers read only their own)."""
    from incidents import services as incident_services

    qa = Membership.objects.filter(workgroup=workgroup, role=Role.QA_REVIEWER).select_related("user").first().user
    now = timezone.now()
    incident = incident_services.incident_report(
        actor=qa, workgroup=workgroup, incident_class="near_miss", category="delay",
        occurred_at=now - timezone.timedelta(hours=2), discovered_at=now - timezone.timedelta(hours=1),
        narrative=f"{SECRET} transfer line rang out" if workgroup.slug == "elsewhere" else "Transfer line rang out.")
    extra[("incident_id", workgroup.pk)] = incident.pk
    from incidents.tests import world as incident_world

    incident_world.build(extra, workgroup=workgroup, incident=incident, qa=qa)


def _agreement_extras(extra: dict, workgroup: Workgroup, coordinator: User) -> None:
    """A draft to edit and an approved agreement with its signed copy, beside the demo's one in review."""
    from agreements import services as agreement_services
    from agreements.models import Agreement

    demo = Agreement.objects.filter(workgroup=workgroup).order_by("pk").first()
    parties = [{"organization": party.organization, "signatory_name": party.signatory_name,
                "signatory_title": party.signatory_title} for party in demo.parties.all()]

    def create(title: str) -> Agreement:
        return agreement_services.agreement_create(actor=coordinator, workgroup=workgroup, template=demo.template,
                                                   title=title, parties=parties)

    extra[("draft_agreement_id", workgroup.pk)] = create(f"Draft MOU {workgroup.pk}").pk
    approved = create(f"Approved MOU {workgroup.pk}")
    agreement_services.agreement_submit(actor=coordinator, agreement=approved)
    approved = agreement_services.agreement_approve(actor=coordinator, agreement=approved)
    approved.signed_scan.save("signed.pdf", ContentFile(b"%PDF-1.7 signed"))
    extra[("approved_agreement_id", workgroup.pk)] = approved.pk
    _packet_extras(extra, workgroup, coordinator, approved)
    from agreements import counsel

    approval, _ = counsel.party_approval_link_send(
        actor=coordinator, version=demo.versions.get(number=demo.current_version_number),
        party=demo.parties.order_by("order").first(), email=f"counsel@{workgroup.slug}.test",
        base_url="http://testserver")
    extra[("counsel_link_token", workgroup.pk)] = counsel.approval_token(approval)
    _word_import_extras(extra, workgroup, coordinator)


def _word_import_extras(extra: dict, workgroup: Workgroup, coordinator: User) -> None:
    """A DOCX export of the draft, brought back as counsel's copy: an import waiting for decisions."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agreements import word
    from agreements.exports import agreement_docx
    from agreements.models import Agreement
    from agreements.selectors import render_version

    draft = Agreement.objects.get(pk=extra[("draft_agreement_id", workgroup.pk)])
    docx_bytes = agreement_docx(render_version(draft.versions.get(number=draft.current_version_number)))
    extra[("word_import_id", workgroup.pk)] = word.word_import_create(
        actor=coordinator, agreement=draft, uploaded=SimpleUploadedFile("counsel.docx", docx_bytes)).pk


def _packet_extras(extra: dict, workgroup: Workgroup, coordinator: User, agreement) -> None:
    """A built packet of the approved agreement, as its job leaves it: a file to download, retry, delete."""
    from agreements.models import AgreementPacket
    from toolkit.models import Job, JobStatus

    job = Job.objects.create(workgroup=workgroup, kind="agreement_packet", requested_by=coordinator,
                             status=JobStatus.SUCCEEDED, progress=100, finished_at=timezone.now())
    job.result.save("approved-mou-v1-packet.pdf", ContentFile(b"%PDF-1.7 packet"))
    packet = AgreementPacket.objects.create(
        workgroup=workgroup, agreement=agreement, version=agreement.versions.get(number=1), sections=[],
        options_key="-", requested_by=coordinator, job=job, page_count=1, size_bytes=15, sha256="0" * 64)
    Job.objects.filter(pk=job.pk).update(params={"packet_id": packet.pk})
    extra[("packet_id", workgroup.pk)] = packet.pk
    extra[("packet_agreement_id", workgroup.pk)] = agreement.pk


def _partner_extras(extra: dict, workgroup: Workgroup, coordinator: User) -> None:
    from partners import services as partner_services
    from partners.models import DirectoryImport

    sector = partner_services.sector_create(actor=coordinator, workgroup=workgroup, name=f"Own sector {workgroup.pk}")
    extra[("sector_id", workgroup.pk)] = sector.pk
    directory_import = DirectoryImport.objects.filter(workgroup=workgroup).first()
    if directory_import is None:
        directory_import = _new_directory_import(workgroup, coordinator)
    extra[("directory_import_id", workgroup.pk)] = directory_import.pk


def _new_directory_import(workgroup: Workgroup, coordinator: User):
    """A pending import as the upload step leaves it, whichever way the import stores its file."""
    from partners.models import DirectoryImport

    fields = {f.name for f in DirectoryImport._meta.get_fields()}
    row = DirectoryImport(workgroup=workgroup, uploaded_by=coordinator, filename="partners.csv")
    csv = b"organization,sector\nNew Partner,988 crisis center\n"
    if "content" in fields:
        row.content = csv.decode()
        row.save()
    else:
        row.save()
        file_field = next(f for f in DirectoryImport._meta.concrete_fields if f.get_internal_type() == "FileField")
        getattr(row, file_field.name).save("partners.csv", ContentFile(csv))
    return row


def _readiness_extras(extra: dict, workgroup: Workgroup, coordinator: User) -> None:
    from readiness import services as readiness_services
    from readiness.models import Dimension, InstrumentStatus, InstrumentVersion, Item

    published = InstrumentVersion.objects.filter(workgroup=workgroup, status=InstrumentStatus.PUBLISHED).first()
    draft = readiness_services.version_new_draft(actor=coordinator, from_version=published)
    extra[("instrument_version_id", workgroup.pk)] = draft.pk
    extra[("dimension_id", workgroup.pk)] = Dimension.objects.filter(version=draft).order_by("pk").first().pk
    extra[("item_id", workgroup.pk)] = Item.objects.filter(version=draft).order_by("pk").first().pk
    # An open round everyone of the workgroup was asked to answer, and a partner reached by a link.
    round_ = readiness_services.round_open(
        actor=coordinator, workgroup=workgroup, instrument_version=published, title="Open round",
        scope_statement="Riverbend's partners", goal="interoperability",
        due_date=timezone.localdate() + timezone.timedelta(days=14))
    members = [m.user for m in Membership.objects.filter(workgroup=workgroup).select_related("user")]
    readiness_services.respondents_invite_members(actor=coordinator, round=round_, users=members,
                                                  base_url="http://testserver")
    organization = apps.get_model("partners.Organization").objects.filter(workgroup=workgroup).order_by("pk").first()
    respondent = readiness_services.respondent_invite_person(
        actor=coordinator, round=round_, name="Pat Partner", email=f"pat@{workgroup.slug}.test",
        organization=organization, base_url="http://testserver")
    extra[("open_round_id", workgroup.pk)] = round_.pk
    extra[("link_token", workgroup.pk)] = readiness_services.respondent_token(respondent)


def _triage_extras(extra: dict, workgroup: Workgroup, coordinator: User) -> None:
    from triage import services as triage_services
    from triage.demo import EXAMPLE_SCENARIOS
    from triage.models import Criterion, Node, Option, ProtocolVersion, RiskLevel, SafetyRule, Scenario, VersionStatus

    draft = ProtocolVersion.objects.filter(workgroup=workgroup, status=VersionStatus.DRAFT).first()
    extra[("protocol_version_id", workgroup.pk)] = draft.pk
    extra[("node_id", workgroup.pk)] = Node.objects.filter(version=draft).order_by("pk").first().pk
    extra[("option_id", workgroup.pk)] = Option.objects.filter(node__version=draft).order_by("pk").first().pk
    extra[("risk_level_id", workgroup.pk)] = RiskLevel.objects.filter(version=draft).order_by("pk").first().pk
    extra[("scenario_id", workgroup.pk)] = Scenario.objects.filter(version=draft).order_by("pk").first().pk
    extra[("rule_id", workgroup.pk)] = SafetyRule.objects.filter(version=draft).order_by("pk").first().pk
    extra[("criterion_id", workgroup.pk)] = Criterion.objects.filter(version=draft).order_by("pk").first().pk
    partner = apps.get_model("partners.Organization").objects.filter(workgroup=workgroup).order_by("pk").first()
    signatory = draft.signatories.order_by("pk").first() or triage_services.signatory_add(
        actor=coordinator, version=draft, organization=partner)
    extra[("signatory_id", workgroup.pk)] = signatory.pk
    # A second protocol whose first version is waiting for approval.
    protocol = triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name="Protocol in review",
                                               scenarios=EXAMPLE_SCENARIOS)
    triage_services.signatory_add(actor=coordinator, version=protocol.versions.get(), organization=partner)
    in_review = triage_services.version_submit(actor=coordinator, version=protocol.versions.get())
    extra[("in_review_version_id", workgroup.pk)] = in_review.pk


def build_world() -> World:
    people: dict[str, User] = {}
    founder = UserFactory(email="founder@riverbend.test")
    ours = services.workgroup_create(actor=founder, name="Riverbend County Workgroup", slug="riverbend",
                                     jurisdiction_type="county", jurisdiction_name="Riverbend County",
                                     goal="interoperability")
    Membership.objects.filter(user=founder).delete()
    for role in ROLES:
        people[role] = _person(ours, role, f"{role.replace('_', '-')}@riverbend.test")
    outsider = UserFactory(email="outsider@elsewhere.test", first_name="Oscar", last_name="Outsider")
    theirs = services.workgroup_create(actor=outsider, name=f"{SECRET} Workgroup", slug="elsewhere",
                                       jurisdiction_type="city", jurisdiction_name="Elsewhere City",
                                       goal="interoperability")
    their_people = {Role.COORDINATOR: outsider}
    for role in ROLES[1:]:
        their_people[role] = _person(theirs, role, f"{role.replace('_', '-')}@elsewhere.test")
    people["outsider"] = outsider
    staff = UserFactory(email="staff@toolkit.test", is_staff=True, is_superuser=True)
    world = World(ours=ours, theirs=theirs, people=people, staff=staff)
    _seed(ours, people[Role.COORDINATOR], "legal-reviewer@riverbend.test")
    _seed(theirs, outsider, "legal-reviewer@elsewhere.test")
    _extras(world, ours, people[Role.COORDINATOR], "invitee@riverbend.test")
    _extras(world, theirs, outsider, "invitee@elsewhere.test")
    _mark_theirs(theirs)
    return world
