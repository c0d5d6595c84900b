"""Demo county MOU for the Riverbend County workgroup: two versions, in legal review, with counsel's comments."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, AgreementTemplate
from partners.selectors import organization_list
from triage.selectors import protocol_list

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

TITLE = "Riverbend County 988/911/Mobile Crisis Memorandum of Understanding"
PARTIES = ("Riverbend Crisis Line (988)", "Riverbend County Emergency Communications (911)",
           "Riverbend Mobile Crisis Team")
PROTOCOL_NAME = "Riverbend County 988/911 call triage"  # triage.demo.NAME
REVIEWER_EMAIL = "legal@example.org"

CALL_TRANSFER_V2 = (
    "<p>The parties will route contacts according to the Triage Protocol and the decision-point matrix.</p>"
    "<ol>"
    "<li><strong>911 to 988.</strong> When a PSAP call taker finds a behavioral health concern with no imminent "
    "danger and no medical or fire need, the call taker offers a transfer to the 988 Center on the dedicated "
    "transfer line and stays on the line until the 988 counselor answers.</li>"
    "<li><strong>988 to 911.</strong> When a 988 counselor finds imminent danger to the person or others, a "
    "medical emergency, or a situation that cannot be managed remotely, the counselor calls the PSAP on the "
    "priority line, gives location and safety details, and stays with the person until responders are engaged."
    "</li>"
    "<li><strong>988 to mobile crisis.</strong> When an in-person response is needed and there is no imminent "
    "danger, the 988 Center dispatches the Mobile Crisis Team and tells the PSAP if the Team asks for support."
    "</li>"
    "<li><strong>Warm hand-off.</strong> Transfers are made as Warm Hand-offs wherever practical. The sending "
    "party shares the reason for transfer, location, known risks and call-back number.</li>"
    "<li><strong>Failed transfer.</strong> If a transfer does not connect within 60 seconds, the sending party "
    "keeps responsibility for the contact and tries again or escalates.</li>"
    "</ol>"
)

# Raised by counsel on version 1: (clause key, comment, the drafter's reply, resolved on version 2)
COMMENTS = (
    ("call-transfer", "Add the 988-to-mobile-crisis route, and say who keeps the caller when a transfer does not "
     "connect.", "Both are in version 2: routes 3 and 5.", True),
    ("information-sharing", "Please name the state confidentiality statute next to HIPAA, and say who may "
     "receive call notes when the Mobile Crisis Team is dispatched. Counsel for the 911 center will ask.", "", False),
    ("immunities", "Name the state's tort claims act here so each public party's limits are plain; the county "
     "attorney will not sign without it.", "", False),
)


def seed_agreements_demo(*, workgroup: Workgroup, actor: User) -> None:
    """Idempotent: does nothing when the demo MOU exists (or its parties are missing from the partner map)."""
    if Agreement.objects.filter(workgroup=workgroup, title=TITLE).exists():
        return
    services.library_ensure_defaults(workgroup=workgroup, actor=actor)
    organizations = {org.name: org for org in organization_list(workgroup=workgroup).filter(name__in=PARTIES)}
    if len(organizations) != len(PARTIES):
        return
    parties = []
    for name in PARTIES:
        organization = organizations[name]
        signatory = next(iter(organization.contacts.all()), None)  # primary contact first
        parties.append({"organization": organization,
                        "signatory_name": signatory.name if signatory else "",
                        "signatory_title": signatory.title if signatory else ""})
    protocol = protocol_list(workgroup=workgroup).filter(name=PROTOCOL_NAME).first()
    template = AgreementTemplate.objects.get(workgroup=workgroup, key="mou")
    effective = (timezone.localdate() + timedelta(days=90)).isoformat()
    agreement = services.agreement_create(
        actor=actor, workgroup=workgroup, template=template, title=TITLE, parties=parties, protocol=protocol,
        variables={"effective_date": effective, "reporting_frequency": "quarterly"},
    )
    reviewer = get_user_model().objects.filter(email__iexact=REVIEWER_EMAIL).first()
    services.agreement_submit(actor=actor, agreement=agreement)
    raised = []
    if reviewer is not None:
        first = agreement.versions.get(number=1)
        keys = {clause["key"] for clause in first.clauses}
        raised = [(services.comment_add(actor=reviewer, version=first, clause_key=key, body=body), reply, resolved)
                  for key, body, reply, resolved in COMMENTS if key in keys]
        services.agreement_request_changes(actor=reviewer, agreement=agreement,
                                           note="Three points from counsel, one per clause.")
    else:
        services.agreement_request_changes(actor=actor, agreement=agreement)
    services.agreement_save(
        actor=actor, agreement=agreement, base_version_number=1, title=TITLE, variables={},
        clause_bodies={"call-transfer": CALL_TRANSFER_V2},
        change_summary="Add 988 to mobile crisis dispatch and a time limit for failed transfers",
    )
    for comment, reply, _ in raised:
        if reply:
            services.comment_reply(actor=actor, comment=comment, body=reply)
    services.agreement_submit(actor=actor, agreement=agreement)
    for comment, _, resolved in raised:
        if resolved:
            services.comment_resolve(actor=reviewer, comment=comment, reply="Thank you, resolved.")
