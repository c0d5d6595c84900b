"""What every URL answers to whom: the one declared table the URL walk checks (test_url_matrix).

Keys are URL names. For each, the roles whose GET and POST pass the permission layer, the methods the
view accepts, the status of an allowed GET, and what happens to people who are not signed in.
Everyone else in the workgroup gets 403; people outside it get 404 on workgroup pages.
Written out by hand on purpose: a change of who may do what must change this table too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from toolkit.models import Role

C, M, L, Q, V = Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER, Role.VIEWER
EVERYONE = frozenset({C, M, L, Q, V})
SIGNED_IN = EVERYONE | {"outsider"}  # pages outside any workgroup: a member of another one is just anyone
NOBODY: frozenset = frozenset()
COORDINATORS = frozenset({C})
CONTRIBUTORS = frozenset({C, M})  # partners.edit, readiness.edit, triage.edit
COMMENTERS = frozenset({C, M, L})  # agreements.comment
REVIEWERS = frozenset({C, L})  # agreements.review, agreements.export
RUNNERS = frozenset({C, M, L, Q})  # jobs.run
REPORTERS = RUNNERS  # incidents.report
QA = frozenset({C, Q})  # incidents.review, incidents.export, transfers.export
RECORDERS = frozenset({C, M, Q})  # transfers.record (QA reviewers follow transfers up)


@dataclass(frozen=True)
class Expect:
    get: frozenset = NOBODY  # who passes the permission check on GET
    post: frozenset = NOBODY  # ... and on POST
    methods: frozenset = field(default_factory=lambda: frozenset({"GET"}))
    ok: object = 200  # what an allowed GET answers: a status, or (302, "/path-prefix/")
    anonymous: object = "login"  # "login", "admin-login", "open" (like everyone), or a status / (302, prefix)
    refused: object = 403  # what signed-in people outside ``get``/``post`` get on pages outside a workgroup
    # Roles for whom the row is not there (someone else's report): 404 for the methods the view accepts.
    not_found: frozenset = NOBODY


def page(roles: frozenset, **kw) -> Expect:
    """A GET-only page."""
    return Expect(get=roles, post=roles, methods=frozenset({"GET"}), **kw)


def form(roles: frozenset, **kw) -> Expect:
    """A page with a form that posts back to it."""
    return Expect(get=roles, post=roles, methods=frozenset({"GET", "POST"}), **kw)


def action(roles: frozenset, *, outer: frozenset | None = None, **kw) -> Expect:
    """A POST-only action. ``outer``: who passes the check before the method is looked at (GET gets 405)."""
    return Expect(get=outer if outer is not None else roles, post=roles, methods=frozenset({"POST"}), **kw)


def redirect_page(roles: frozenset, to: str, **kw) -> Expect:
    """A GET that always sends people on (home page, reset link)."""
    return Expect(get=roles, post=roles, methods=frozenset({"GET", "POST"}), ok=(302, to), **kw)


API_KEY_ONLY = Expect(methods=frozenset({"GET", "POST"}), anonymous=401, refused=401)
"""/api/v1/ answers to API keys only: nobody in the walk sends one, so everyone, signed in or not, gets 401
before the method is looked at (toolkit/tests/test_api*.py cover keys)."""

ADMIN = Expect(anonymous="admin-login", refused="admin-login")
"""Django's admin, for staff only: everyone else is sent to its own sign-in page before any look-up."""

TABLE: dict[str, Expect] = {
    # --- Outside any workgroup ---------------------------------------------------------------
    "healthz": page(SIGNED_IN, anonymous="open"),
    "login": form(SIGNED_IN, anonymous="open"),
    "logout": action(SIGNED_IN, outer=SIGNED_IN, anonymous="open"),
    "password_change": form(SIGNED_IN),
    "password_change_done": page(SIGNED_IN),
    "password_reset": form(SIGNED_IN, anonymous="open"),
    "password_reset_done": page(SIGNED_IN, anonymous="open"),
    "password_reset_confirm": redirect_page(SIGNED_IN, "/accounts/reset/", anonymous="open"),
    "password_reset_complete": page(SIGNED_IN, anonymous="open"),
    "two-step": page(SIGNED_IN),
    # Nobody in the walk has two-step sign-in on: the code page sends them to set it up, turning off to the overview.
    "two-step-verify": redirect_page(SIGNED_IN, "/accounts/two-step/setup/"),
    "two-step-setup": form(SIGNED_IN),
    "two-step-recovery-codes": action(SIGNED_IN),
    "two-step-turn-off": redirect_page(SIGNED_IN, "/accounts/two-step/"),
    "keep-alive": action(SIGNED_IN),
    "session-end": action(SIGNED_IN, outer=SIGNED_IN, anonymous="open"),  # like sign-out: the page's countdown
    "toolkit:home": redirect_page(SIGNED_IN, "/w/"),
    "toolkit:workgroup-create": form(SIGNED_IN),
    "toolkit:invitation-accept": form(SIGNED_IN, anonymous="open"),
    "toolkit:guidance": page(SIGNED_IN, anonymous="open"),
    "toolkit:guidance-topic": page(SIGNED_IN, anonymous="open"),
    "toolkit:resources": page(SIGNED_IN, anonymous="open"),
    "readiness-public:respond": form(SIGNED_IN, anonymous="open"),  # the link is the key; no account needed
    "agreements-public:party-approval-link": form(SIGNED_IN, anonymous="open"),  # ditto, for a party's counsel
    "incidents-public:intake": form(SIGNED_IN, anonymous="open"),  # the workgroup's intake link; no account needed
    # The admin's sign-in page is the app's own (two-step sign-in): the walk's people are sent there.
    "admin:login": redirect_page(SIGNED_IN, "/accounts/login/", anonymous=(302, "/accounts/login/")),
    "admin-login": redirect_page(SIGNED_IN, "/accounts/login/", anonymous=(302, "/accounts/login/")),
    "admin:logout": redirect_page(SIGNED_IN, "/admin/", anonymous=(302, "/admin/")),
    # --- The workgroup ------------------------------------------------------------------------
    "toolkit:dashboard": page(EVERYONE),
    "toolkit:members": page(EVERYONE),
    "toolkit:invitation-create": action(COORDINATORS),
    "toolkit:invitation-revoke": action(COORDINATORS),
    "toolkit:membership-role": action(COORDINATORS),
    "toolkit:membership-remove": form(COORDINATORS),
    "toolkit:workgroup-settings": form(COORDINATORS),
    "toolkit:workgroup-two-step": form(COORDINATORS),
    "toolkit:workgroup-archive": form(COORDINATORS),
    "toolkit:workgroup-restore": action(COORDINATORS),
    "toolkit:audit-log": page(COORDINATORS),
    "toolkit:job-list": page(EVERYONE),
    "toolkit:job-detail": page(EVERYONE),
    "toolkit:job-download": page(EVERYONE),
    "toolkit:job-start": action(RUNNERS, outer=EVERYONE),  # who may run a kind is the kind's own check
    "toolkit:job-retry": action(RUNNERS, outer=EVERYONE),
    "incidents:index": page(EVERYONE),
    "incidents:report": form(REPORTERS),
    # The world's incident is the QA reviewer's: members and legal reviewers, who read only their own, get 404.
    # Everyone passes the workgroup check, so a POST is refused with 405 before any look-up.
    "incidents:incident-detail": Expect(get=QA, post=EVERYONE, not_found=frozenset({M, L})),
    # --- QA workflow, joint review, marking (incidents/views/review.py) ---
    "incidents:incident-triage": action(QA),
    "incidents:review-start": action(QA),
    "incidents:harm-rate": action(QA),
    "incidents:harm-agree": action(QA),
    "incidents:assessment": action(QA),
    "incidents:root-cause-add": action(QA),
    "incidents:action-add": action(QA),
    "incidents:action-update": form(QA),
    "incidents:review-finish": action(QA),
    "incidents:incident-close": action(QA),
    "incidents:incident-reopen": action(QA),
    # The reporter and joint reviewers comment too; the world's incident is QA's own, so M and L find nothing.
    "incidents:comment-add": action(QA, outer=EVERYONE, not_found=frozenset({M, L})),
    "incidents:marking": action(QA),
    "incidents:share-add": action(QA),
    "incidents:share-remove": action(QA),
    # --- Attachments (incidents/views/attachments.py) ---
    # The reporter adds files too; the world's incident is QA's own, so M and L find nothing (as comment-add).
    "incidents:attachment-upload": action(QA, outer=EVERYONE, not_found=frozenset({M, L})),
    "incidents:attachment-download": Expect(get=QA, post=EVERYONE, not_found=frozenset({M, L})),
    "incidents:attachment-delete": action(QA),
    # --- After-action review (incidents/views/after_action.py) ---
    "incidents:after-action": form(QA),
    "incidents:after-action-pdf": action(QA),
    # --- Intake link (incidents/views/intake.py) ---
    "incidents:intake-link": form(QA),
    # --- Trends, exports, data-sharing settings (incidents/views/trends.py, exports.py) ---
    "incidents:trends": page(EVERYONE),
    "incidents:quarterly-report": action(QA),
    "incidents:data-sharing": form(COORDINATORS),
    "incidents:exports": page(QA),
    "incidents:export-download": page(QA),
    # --- Import of past incidents (incidents/views/imports.py) ---
    "incidents:import-upload": form(QA),
    "incidents:import-preview": form(QA),
    # --- Partners -----------------------------------------------------------------------------
    "partners:index": page(EVERYONE),
    "partners:directory": page(EVERYONE),
    "partners:export-csv": page(EVERYONE),
    "partners:organization-detail": page(EVERYONE),
    "partners:contact-vcard": page(EVERYONE),
    "partners:coverage": page(EVERYONE),
    "partners:sectors": page(EVERYONE),
    "partners:raci": page(EVERYONE),
    "partners:grid": page(EVERYONE),
    "partners:grid-svg": page(EVERYONE),
    "partners:organization-create": form(CONTRIBUTORS),
    "partners:organization-edit": form(CONTRIBUTORS),
    "partners:organization-delete": form(CONTRIBUTORS),
    "partners:contact-create": form(CONTRIBUTORS),
    "partners:contact-edit": form(CONTRIBUTORS),
    "partners:contact-delete": form(CONTRIBUTORS),
    "partners:raci-function-edit": form(CONTRIBUTORS),
    "partners:raci-function-delete": form(CONTRIBUTORS),
    "partners:raci-function-create": action(CONTRIBUTORS),
    "partners:raci-cell": action(CONTRIBUTORS),
    "partners:sector-create": action(CONTRIBUTORS),
    "partners:sector-delete": action(CONTRIBUTORS),
    "partners:import": form(CONTRIBUTORS),
    "partners:import-preview": form(CONTRIBUTORS),
    # --- Readiness ----------------------------------------------------------------------------
    "readiness:index": page(EVERYONE),
    "readiness:instrument-list": page(EVERYONE),
    "readiness:instrument-detail": page(EVERYONE),
    "readiness:version-detail": page(EVERYONE),
    "readiness:round-detail": page(EVERYONE),
    "readiness:round-results": page(EVERYONE),
    "readiness:round-gaps": page(EVERYONE),
    "readiness:round-compare": page(EVERYONE),
    "readiness:action-list": page(EVERYONE),
    "readiness:respond": form(EVERYONE),  # every member of the open round was asked to answer it
    "readiness:round-report": action(RUNNERS),
    "readiness:action-edit": form(CONTRIBUTORS),
    "readiness:instrument-create": form(COORDINATORS),
    "readiness:instrument-edit": form(COORDINATORS),
    "readiness:version-edit": form(COORDINATORS),
    "readiness:version-discard": form(COORDINATORS),
    "readiness:version-new-draft": action(COORDINATORS),
    "readiness:version-publish": action(COORDINATORS),
    "readiness:dimension-create": form(COORDINATORS),
    "readiness:dimension-edit": form(COORDINATORS),
    "readiness:dimension-delete": form(COORDINATORS),
    "readiness:dimension-move": action(COORDINATORS),
    "readiness:item-create": form(COORDINATORS),
    "readiness:item-edit": form(COORDINATORS),
    "readiness:item-delete": form(COORDINATORS),
    "readiness:item-move": action(COORDINATORS),
    "readiness:round-create": form(COORDINATORS),
    "readiness:round-edit": form(COORDINATORS),
    "readiness:round-close": form(COORDINATORS),
    "readiness:round-reopen": form(COORDINATORS),
    "readiness:round-remind": action(COORDINATORS),
    "readiness:respondents-add-members": action(COORDINATORS),
    "readiness:respondents-add-contacts": action(COORDINATORS),
    "readiness:respondent-add-person": action(COORDINATORS),
    "readiness:respondent-detail": page(COORDINATORS),  # one partner's answers
    "readiness:respondent-resend": form(COORDINATORS),
    "readiness:respondent-remove": form(COORDINATORS),
    "readiness:gap-accept": action(COORDINATORS),
    "readiness:action-create": form(COORDINATORS),
    # --- Agreements ---------------------------------------------------------------------------
    "agreements:index": page(EVERYONE),
    "agreements:library": page(EVERYONE),
    "agreements:agreement-detail": page(EVERYONE),
    "agreements:version-list": page(EVERYONE),
    "agreements:version-detail": page(EVERYONE),
    "agreements:compare": page(EVERYONE),
    "agreements:signed-scan-download": page(EVERYONE),
    "agreements:export-pdf": page(REVIEWERS),
    "agreements:export-docx": page(REVIEWERS),
    "agreements:packet-list": form(REVIEWERS),
    "agreements:packet-detail": page(REVIEWERS),
    "agreements:packet-download": page(REVIEWERS),
    "agreements:packet-retry": action(REVIEWERS),
    "agreements:packet-delete": form(COORDINATORS),
    "agreements:agreement-create": form(COORDINATORS),
    "agreements:agreement-edit": form(COORDINATORS),
    "agreements:signatures": form(COORDINATORS),
    "agreements:submit": action(COORDINATORS),
    "agreements:execute": action(COORDINATORS),
    "agreements:new-draft": action(COORDINATORS),
    "agreements:signed-scan-upload": action(COORDINATORS),
    "agreements:approve": action(REVIEWERS),
    "agreements:request-changes": action(REVIEWERS),
    "agreements:comment-create": action(COMMENTERS),
    "agreements:comment-resolve": action(COMMENTERS),
    "agreements:comment-reply": action(COMMENTERS),
    "agreements:review": page(EVERYONE, ok=(302, "/w/riverbend/agreements/")),
    "agreements:version-review": page(EVERYONE),
    "agreements:review-queue": page(REVIEWERS),
    "agreements:word-import-create": form(REVIEWERS),
    "agreements:word-import-detail": page(REVIEWERS),
    "agreements:word-import-apply": action(COORDINATORS),
    "agreements:party-approvals": page(EVERYONE),
    "agreements:party-approval-record": action(REVIEWERS),
    "agreements:party-approval-link-send": action(REVIEWERS),
    # --- Triage -------------------------------------------------------------------------------
    "triage:index": page(EVERYONE),
    "triage:protocol-detail": page(EVERYONE),
    "triage:version-detail": page(EVERYONE),
    "triage:diagram": page(EVERYONE),
    "triage:matrix": page(EVERYONE),
    "triage:simulate": page(EVERYONE),
    "triage:scenario-list": page(EVERYONE),
    "triage:rule-list": page(EVERYONE),
    "triage:export-json": page(EVERYONE),
    "triage:protocol-create": action(CONTRIBUTORS),
    "triage:import-json": form(CONTRIBUTORS),
    "triage:version-new-draft": form(CONTRIBUTORS),
    "triage:version-edit": form(CONTRIBUTORS),
    "triage:version-submit": action(CONTRIBUTORS),
    "triage:node-create": form(CONTRIBUTORS),
    "triage:node-edit": form(CONTRIBUTORS),
    "triage:node-delete": form(CONTRIBUTORS),
    "triage:option-create": form(CONTRIBUTORS),
    "triage:option-edit": form(CONTRIBUTORS),
    "triage:option-delete": form(CONTRIBUTORS),
    "triage:option-move": action(CONTRIBUTORS),
    "triage:risk-level-create": form(CONTRIBUTORS),
    "triage:risk-level-edit": form(CONTRIBUTORS),
    "triage:criterion-create": form(CONTRIBUTORS),
    "triage:criterion-edit": form(CONTRIBUTORS),
    "triage:scenario-create": form(CONTRIBUTORS),
    "triage:scenario-edit": form(CONTRIBUTORS),
    "triage:scenario-delete": form(CONTRIBUTORS),
    "triage:rule-create": form(CONTRIBUTORS),
    "triage:rule-edit": form(CONTRIBUTORS),
    "triage:rule-delete": form(CONTRIBUTORS),
    "triage:signatory-add": action(CONTRIBUTORS),
    "triage:signatory-remove": form(CONTRIBUTORS),
    "triage:approval-create": form(COORDINATORS),
    "triage:version-approve": action(COORDINATORS),
    "triage:version-return": action(COORDINATORS),
    "triage:version-put-in-force": action(COORDINATORS),
    "triage:version-retire": form(COORDINATORS),
    # --- Transfers, their import and metrics (triage), the routing directory (partners) ------
    "transfers:index": page(EVERYONE),
    "transfers:detail": page(EVERYONE),
    "transfers:record": form(RECORDERS),
    "transfers:edit": form(RECORDERS),
    "transfers:settings": form(COORDINATORS),
    "transfers:follow-up": action(RECORDERS),
    "transfers:create-incident": action(REPORTERS),
    "transfers:import-upload": form(RECORDERS),
    "transfers:import-preview": form(RECORDERS),
    "transfers:import-map": form(RECORDERS),
    "transfers:metrics": page(EVERYONE),
    "transfers:definitions": page(EVERYONE),
    "transfers:report": form(QA),
    # Without a month the download sends people back to the report page with a message.
    "transfers:report-csv": page(QA, ok=(302, "/w/")),
    "partners:routing": page(EVERYONE),
    "partners:routing-edit": form(CONTRIBUTORS),
    "partners:line-create": form(CONTRIBUTORS),
    "partners:line-edit": form(CONTRIBUTORS),
    "partners:line-test": form(CONTRIBUTORS),
    "partners:line-delete": form(CONTRIBUTORS),
    # --- The API: keys managed by coordinators; the schema and its docs describe it to anyone ---
    "toolkit:api-tokens": form(COORDINATORS),
    "toolkit:api-token-revoke": form(COORDINATORS),
    "api:transfers": API_KEY_ONLY,
    "api:incidents": API_KEY_ONLY,
    "api:protocols": API_KEY_ONLY,
    "api:protocol": API_KEY_ONLY,
    "api:metrics": API_KEY_ONLY,
    "api:schema": page(SIGNED_IN, anonymous="open"),
    "api:docs": page(SIGNED_IN, anonymous="open"),
}

def expectation(key: str) -> Expect | None:
    """The declared outcome of a URL; every route of Django's admin but its own sign-in shares ADMIN."""
    if key in TABLE:
        return TABLE[key]
    return ADMIN if key.startswith("admin:") else None
