"""Bad input everywhere: every form of every app, posted with one field spoiled by a hostile value.

The forms are the ones people meet: the URL walk's world (``url_world``: two seeded workgroups) is
built once for the module, every page is fetched as someone allowed to see it, and each
``<form method="post">`` is read back with the values the page filled in (``form_crawl``). Blank
required fields get a plausible value, so the untouched form is a real submission. Then, per form,
hypothesis changes ONE field (or drops it, or sends it twice) to something hostile: text past its
``maxlength``, NUL and other control characters, lone surrogates and odd Unicode, right-to-left
overrides, HTML and script, SQL-ish strings, huge/negative/NaN/inf numbers, impossible dates, the
other workgroup's ids, values no select offers, a file with a hostile name. Each answer must:

* never be a server error (status < 500), and never show the other workgroup's names;
* when it refuses the input (an error re-rendered, 4xx, or a redirect carrying an error message):
  have written nothing — no row inserted, changed or deleted, so no audit row either;
* when it re-renders the form: keep every other field as the person typed it (the page's form,
  parsed back, holds the posted values; the HTML escaping is the parser's to undo);
* never accept a value a select or radio group did not offer (another workgroup's id included).

Why savepoints and not ``hypothesis.extra.django.TestCase``: that class rolls back a transaction
per example, so each example would need the 25-second world rebuilt; and it is a unittest class,
outside pytest-django's fixtures and xdist's distribution. Here the world is built once in a
module-scoped transaction (rolled back at the end), each test's ``db`` fixture nests a savepoint in
it, and each example runs in one more savepoint that is always rolled back — every example sees
the same world, as each request of the URL walk does (test_url_matrix).
"""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from hypothesis import HealthCheck, given, settings

from toolkit.models import Role
from toolkit.tests.form_crawl import CSRF, FoundForm, forms_in
from toolkit.tests.form_hostility import (
    UNEXPECTED,
    Target,
    check_kept,
    cross_workgroup_links,
    foreign_ids,
    post_rolled_back,
    run_one,
    spoil,
    usual_crashers,
)
from toolkit.tests.url_table import TABLE, Expect
from toolkit.tests.url_world import ROLES, World, build_world

pytestmark = pytest.mark.django_db  # also tells pytest-django to set the test database up for the module fixture

# Per form; ~90 forms. The module stays within a few minutes on one core. HOSTILE_EXAMPLES=200 for a long hunt.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "10"))

# --- Which forms: every POST route of the URL table, covered or excused ---------------------------

# POST routes whose forms carry no field a person fills in (a confirm button, a CSRF token): nothing to
# spoil and no state to reach here (forms with only a confirm button get an UNEXPECTED field instead).
SKIPPED: dict[str, str] = {
    "logout": "signs the test's person out; no fields",
    "session-end": "the page's idle countdown; no fields",
    "keep-alive": "the page's keep-alive ping; no fields",
    "two-step-setup": "its code is checked against a time-based secret; covered by test_two_step.py",
    "two-step-verify": "ditto (test_two_step.py)",
    "two-step-turn-off": "ditto (test_two_step.py)",
    "two-step-recovery-codes": "ditto (test_two_step.py)",
    "password_reset_confirm": "a signed link; its form is Django's SetPasswordForm (test_accounts.py)",
    "toolkit:home": "a redirect, not a form",
}


def _post_route_keys() -> list[str]:
    return sorted(key for key, expect in TABLE.items()
                  if "POST" in expect.methods and not key.startswith(("api:", "admin")) and expect is not None)


POST_KEYS = _post_route_keys()


# --- The world and its forms, once per module ---------------------------------------------------

@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        # Check the world's deferred foreign keys once, here: otherwise PostgreSQL checks all of them again
        # at the end of every test (pytest-django's teardown), about two seconds each.
        connection.check_constraints()
        yield built
        transaction.set_rollback(True)


def _who_may_see(expect: Expect, key: str) -> str:
    if key.startswith(("readiness-public:", "incidents-public:", "agreements-public:")):
        return "anonymous"  # the link is the key
    for role in ROLES:
        if role in expect.get:
            return role
    return "anonymous" if expect.anonymous == "open" else ""


def _clients(world: World) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for who in ROLES:
        clients[who] = Client()
        clients[who].force_login(world.people[who])
    return clients


def _crawl(world: World, workgroup, clients: dict[str, Client]) -> dict[str, tuple[str, FoundForm]]:
    """Every form on every page of ``workgroup`` (ours, or theirs seen by their coordinator): route key -> form."""
    from toolkit.tests.test_url_matrix import ROUTES

    pages = []
    for route in ROUTES:
        expect = TABLE.get(route.key)
        if expect is None or "GET" not in expect.methods or route.key.startswith(("api:", "admin")):
            continue
        who = _who_may_see(expect, route.key)
        if who:
            pages.append((route.key, route.url(world, workgroup), who))
    pages += _other_states(world, workgroup)
    found: dict[str, tuple[str, FoundForm]] = {}
    for route_key, url, who in pages:
        response = clients[who].get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_in(response.content.decode(), url):
            try:
                key = resolve(urlsplit(form.action).path).view_name
            except Resolver404:
                raise AssertionError(f"{route_key}: a form posts to {form.action}, which no URL answers") from None
            if key not in found or len(form.fields) > len(found[key][1].fields):
                found[key] = (who, form)  # the richest copy of a form shown on several pages
    return found


def _other_states(world: World, workgroup) -> list[tuple[str, str, str]]:
    """Pages whose forms show only for rows in another state than the walk's first row (a draft to submit,
    an open round, a report not yet triaged), or only to someone else (the invitee)."""
    from agreements.models import AgreementTemplate

    def row(name: str) -> int:
        return world.extra[(name, workgroup.pk)]

    template = AgreementTemplate.objects.filter(workgroup=workgroup).order_by("pk").first()
    slug, coordinator = workgroup.slug, Role.COORDINATOR
    new_agreement = reverse("agreements:agreement-create", args=[slug]) + f"?template={template.pk}"
    return [
        ("agreements:agreement-create", new_agreement, coordinator),
        ("agreements:agreement-detail", reverse("agreements:agreement-detail", args=[slug, row("draft_agreement_id")]),
         coordinator),
        ("agreements:agreement-detail",
         reverse("agreements:agreement-detail", args=[slug, row("approved_agreement_id")]), coordinator),
        ("readiness:round-detail", reverse("readiness:round-detail", args=[slug, row("open_round_id")]), coordinator),
        ("incidents:incident-detail", reverse("incidents:incident-detail", args=[slug, row("shared_incident_id")]),
         coordinator),
        ("toolkit:invitation-accept", reverse("toolkit:invitation-accept", args=[row("invitation_token")]),
         "anonymous"),
    ]


@pytest.fixture(scope="module")
def targets(world, django_db_blocker) -> dict[str, Target]:
    with django_db_blocker.unblock():
        ours = _crawl(world, world.ours, _clients(world))
        their_clients = {"anonymous": Client()} | {role: _their_client(world) for role in ROLES}
        theirs = _crawl(world, world.theirs, their_clients)
    return {key: Target(key, who, _fill_required(form), theirs.get(key, (None, None))[1])
            for key, (who, form) in ours.items()}


def _their_client(world: World) -> Client:
    client = Client()
    client.force_login(world.people["outsider"])  # coordinator of theirs: sees every form there
    return client


def _fill_required(form: FoundForm) -> FoundForm:
    """Blank required fields get a plausible value, so the untouched form is a real submission."""
    today = dt.date.today() - dt.timedelta(days=1)  # a past day: times "in the future" are refused
    plausible = {
        "email": "pat.partner@example.org", "number": "3", "date": today.isoformat(), "tel": "555-0100",
        "datetime-local": f"{today.isoformat()}T09:30", "time": "09:30", "url": "https://example.org/",
        "month": today.strftime("%Y-%m"),
    }
    for fld in form.fields.values():
        if fld.kind == "radio" and fld.value is None and fld.options:
            fld.value = fld.options[0]  # a radio group posts nothing until one is picked
            continue
        if fld.kind in {"hidden", "file", "checkbox", "radio", "password"} or not fld.required:
            continue
        if fld.kind in {"text", "tel"} and fld.value in (None, "") and ("number" in fld.name or "phone" in fld.name):
            fld.value = "555-0100"
            continue
        if fld.kind == "select":
            if fld.value in (None, "", []):
                offered = [value for value in fld.options if value]
                if offered:
                    fld.value = [offered[0]] if fld.multiple else offered[0]
        elif fld.value in (None, ""):
            fld.value = plausible.get(fld.kind, f"Plain {fld.name.replace('_', ' ')}")
    return form


@pytest.fixture
def posting(world, targets, db):
    return _clients(world)


def test_every_post_route_is_covered_or_excused(targets):
    missing = [key for key in POST_KEYS if key not in targets and key not in SKIPPED and key not in UNREACHED]
    assert missing == [], f"forms the crawl did not find: {missing}"


# Routes whose form the world's pages do not show (the world's rows are in another state, or the
# form is a bare confirm button shown only then). Kept short on purpose: each has a reason.
_STATE = "the world has no row in the state that shows this form"
UNREACHED: dict[str, str] = {
    # Forms with fields, not reached yet (same view helper as the covered incident forms; their forms
    # HarmAgreeForm, CloseForm, ReopenForm want an incident whose harm was rated twice / whose review is done).
    "incidents:harm-agree": f"{_STATE} (two harm ratings that differ)",
    "incidents:incident-close": f"{_STATE} (a finished review)",
    "incidents:incident-reopen": f"{_STATE} (a closed incident)",
    # Confirm buttons (no field to spoil) shown only in a state the world's rows are not in.
    "incidents:review-start": f"{_STATE} (a triaged report); a confirm button",
    "incidents:after-action-pdf": f"{_STATE} (a saved after-action review); a confirm button",
    "agreements:packet-retry": f"{_STATE} (a failed packet); a confirm button",
    "partners:organization-delete": "its page shows no form while the organization is in use; a confirm button",
    "readiness:dimension-delete": "its page shows no form while the dimension has statements; a confirm button",
    "readiness:respondent-remove": f"{_STATE} (a respondent who has not answered); a confirm button",
    "readiness:respondent-resend": f"{_STATE} (a link respondent); a confirm button",
    "readiness:version-new-draft": "the world's instrument already has a draft; a confirm button",
    "toolkit:job-retry": f"{_STATE} (a failed job); a confirm button",
    "toolkit:workgroup-restore": f"{_STATE} (an archived workgroup); a confirm button",
    "triage:version-approve": f"{_STATE} (every partner approved); a confirm button",
    "triage:version-return": "shown on the in-review version's page, not crawled; a confirm button",
    "triage:version-put-in-force": f"{_STATE} (an approved version); a confirm button",
}


def test_the_excused_forms_are_really_out_of_reach(targets):
    """UNREACHED is left out of the tests below; once the world shows one of them, it must be tested instead."""
    reached = sorted(key for key in UNREACHED if key in targets)
    assert reached == [], f"the crawl now finds these: take them out of UNREACHED: {reached}"


COVERED = [key for key in POST_KEYS if key not in SKIPPED and key not in UNREACHED]


def _post_unexpected_field(target, client) -> None:
    """A form with nothing to spoil (a confirm button): post it with a field it does not have."""
    run_one(target, client, *UNEXPECTED)


@pytest.mark.parametrize("key", COVERED)
def test_a_hostile_value_in_any_field_is_refused_cleanly_or_stored(key, targets, posting):
    target = targets[key]
    client = posting[target.who]
    if not [name for name in target.form.fields if name != CSRF]:
        _post_unexpected_field(target, client)
        return

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(spoil(target))
    def post_spoiled(spoiled):
        name, value = spoiled
        run_one(target, client, name, value)

    post_spoiled()


@pytest.mark.parametrize("key", COVERED)
def test_each_field_alone_with_the_usual_crashers(key, targets, posting):
    """Deterministic, beside the random search: NUL, text past the limit, the calendar's ends, NaN and
    infinity, out-of-range ids and the other workgroup's ids, in each field in turn, the rest left valid."""
    target = targets[key]
    foreign = foreign_ids(target)
    tried = 0
    for name, fld in target.form.fields.items():
        if name == CSRF:
            continue
        for value in usual_crashers(fld, foreign):
            run_one(target, posting[target.who], name, value)
            tried += 1
    if not tried:  # a confirm button, or only check boxes and files (spoiled by the test above)
        _post_unexpected_field(target, posting[target.who])


def test_the_crawl_finds_the_fields_people_fill_in(targets):
    """The crawl is the test's eyes: if it stops finding fields, every test above passes on nothing."""
    organization = targets["partners:organization-create"].form
    assert {"name", "sector", "impact"} <= set(organization.fields)
    assert organization.fields["sector"].kind == "select" and len(organization.fields["sector"].options) > 3
    transfer = targets["transfers:record"].form
    assert transfer.fields["initiated_at"].value  # filled in, so the untouched form is a real submission
    assert foreign_ids(targets["incidents:share-add"]), "the other workgroup's ids should be offered as hostile"



# --- The checks themselves can fail ----------------------------------------------------------------

_PAGE = "/w/riverbend/things/new/"


def _page_with(name_value: str, note_value: str) -> str:
    return (f'<form method="post" action="{_PAGE}"><input type="text" name="name" value="{name_value}">'
            f'<textarea name="note">\n{note_value}</textarea><select name="kind"><option value="a">A</option>'
            f'<option value="b" selected>B</option></select></form>')


def test_the_kept_input_check_sees_a_field_emptied_and_accepts_escaped_values():
    target = Target("things", "coordinator", forms_in(_page_with("", ""), _PAGE)[0], None)
    posted = {"name": '<b>"Tom" & Jerry</b>', "note": "line one\r\nline two", "kind": "b"}

    escaped = _page_with("&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;", "line one\nline two")
    assert check_kept(target, escaped, posted, spoiled="kind") == []
    emptied = _page_with("", "line one\nline two")
    assert check_kept(target, emptied, posted, spoiled="kind") == [
        "'name': posted '<b>\"Tom\" & Jerry</b>', shown ''"]
    assert check_kept(target, "<p>Saved.</p>", posted, spoiled="kind") == [
        "the refusal did not show the form again, so these were lost: ['name', 'note']"]


def test_the_untouched_form_is_a_real_submission_and_its_writes_are_seen(targets, posting):
    """Against passing on nothing: the page's own values save, and the write detector sees the rows."""
    target = targets["partners:organization-create"]

    response, writes, _ = post_rolled_back(posting[target.who], target.form.action, target.form.data())

    assert response.status_code == 302
    assert any('INSERT INTO "partners_organization"' in sql for sql in writes)
    assert any('INSERT INTO "toolkit_auditevent"' in sql for sql in writes)


def test_the_cross_workgroup_check_sees_a_row_pointing_at_another_workgroup(world, db):
    """The world starts clean, and a transfer pointed at the other workgroup's organization is caught."""
    from partners.models import Organization
    from triage.models import Transfer

    assert cross_workgroup_links() == []
    ours = Transfer.objects.filter(workgroup=world.ours).order_by("pk").first()
    Transfer.objects.filter(pk=ours.pk).update(
        receiving_organization=Organization.objects.filter(workgroup=world.theirs).order_by("pk").first())

    assert cross_workgroup_links() == [f"triage.Transfer.receiving_organization of #{ours.pk}"]
