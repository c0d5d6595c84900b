"""Every readiness page × every role, own workgroup and another: status codes and no leaks."""

from __future__ import annotations

import pytest

from readiness import services
from readiness.models import ActionItem, AssessmentRound, Instrument, InstrumentVersion, Item
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version, submitted
from toolkit.models import Job, Role

READERS = [Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER, Role.VIEWER]
SECRETS = ("Elsewhere Secret Instrument", "Elsewhere Secret Round", "Elsewhere Secret Person",
           "Elsewhere Secret Action")

# GET pages (relative to /w/<slug>/readiness/) and who may open them.
PAGES = [
    ("", "read"), ("instruments/", "read"), ("instruments/{instrument}/", "read"), ("versions/{version}/", "read"),
    ("versions/{draft}/", "read"), ("rounds/{round}/", "read"), ("rounds/{round}/results/", "read"),
    ("rounds/{round}/gaps/", "read"), ("compare/?round={round}&round={old_round}", "read"), ("actions/", "read"),
    ("instruments/new/", "manage"), ("instruments/{instrument}/edit/", "manage"), ("versions/{draft}/edit/", "manage"),
    ("versions/{draft}/dimensions/new/", "manage"), ("dimensions/{dimension}/edit/", "manage"),
    ("dimensions/{dimension}/delete/", "manage"), ("versions/{draft}/items/new/", "manage"),
    ("items/{item}/edit/", "manage"), ("versions/{draft}/discard/", "manage"), ("items/{item}/delete/", "manage"),
    ("rounds/new/", "manage"),
    ("rounds/{round}/edit/", "manage"), ("rounds/{round}/close/", "manage"), ("respondents/{respondent}/", "manage"),
    ("respondents/{respondent}/remove/", "manage"), ("respondents/{respondent}/resend/", "manage"),
    ("actions/new/", "manage"), ("actions/{action}/edit/", "edit"),
]
# POST-only actions and who may do them; refused ones must change nothing.
ACTIONS = [
    ("versions/{draft}/publish/", "manage"), ("versions/{version}/new-draft/", "manage"),
    ("dimensions/{dimension}/move/", "manage"), ("items/{item}/move/", "manage"), ("rounds/{round}/remind/", "manage"),
    ("respondents/{respondent}/resend/", "manage"), ("rounds/{round}/gaps/accept/", "manage"),
    ("rounds/{round}/report/", "jobs"),
]
ALLOWED = {
    "read": set(READERS),
    "manage": {Role.COORDINATOR},
    "edit": {Role.COORDINATOR, Role.MEMBER},
    "jobs": {Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER},
}


@pytest.fixture
def ids(workgroup, other_workgroup, people):
    result = {}
    for wg, prefix, actor in ((workgroup, "Riverbend", people[Role.COORDINATOR]),
                              (other_workgroup, "Elsewhere Secret", people["outsider"])):
        version, items = small_version(wg, name=f"{prefix} Instrument")
        draft = services.version_new_draft(actor=actor, from_version=version)
        old_round = RoundFactory(workgroup=wg, instrument_version=version, title=f"{prefix} Old Round")
        round_ = RoundFactory(workgroup=wg, instrument_version=version, title=f"{prefix} Round")
        respondent = link_respondent(round_, name=f"{prefix} Person")
        submitted(link_respondent(round_, name=f"{prefix} Other Person"), {items["L1"]: "1", items["D1"]: "no"})
        action = ActionItem.objects.create(workgroup=wg, round=round_, title=f"{prefix} Action")
        result[wg.slug] = {
            "instrument": version.instrument_id, "version": version.pk, "draft": draft.pk,
            "dimension": draft.dimensions.first().pk, "item": draft.items.first().pk, "round": round_.pk,
            "old_round": old_round.pk, "respondent": respondent.pk, "action": action.pk,
        }
    return result


def _url(slug: str, path: str, ids: dict) -> str:
    return f"/w/{slug}/readiness/" + path.format(**ids[slug])


def _body(response) -> str:
    return response.content.decode(errors="replace")


def _state() -> tuple:
    return (
        list(Instrument.objects.values_list("pk", "name")),
        list(AssessmentRound.objects.values_list("pk", "status", "title")),
        list(ActionItem.objects.values_list("pk", "status", "title")),
        sorted(InstrumentVersion.objects.values_list("pk", "status")),
        sorted(Item.objects.values_list("pk", "order")),
        sorted(Job.objects.values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize(("path", "needs"), PAGES)
def test_each_role_gets_what_the_matrix_allows_and_never_sees_another_workgroup(
    client, people, ids, workgroup, role, path, needs
):
    client.force_login(people[role])
    response = client.get(_url(workgroup.slug, path, ids))
    assert response.status_code == (200 if role in ALLOWED[needs] else 403)
    body = _body(response)
    assert not [secret for secret in SECRETS if secret in body]


@pytest.mark.parametrize(
    ("role", "path", "needs"),
    # Allowed roles doing these is what the feature tests cover.
    [(role, path, needs) for path, needs in ACTIONS for role in READERS if role not in ALLOWED[needs]],
)
def test_post_actions_are_refused_to_roles_without_them_and_change_nothing(
    client, people, ids, workgroup, role, path, needs
):
    client.force_login(people[role])
    before = _state()
    response = client.post(_url(workgroup.slug, path, ids), {"direction": "up", "source_key": "dimension:data",
                                                             "title": "x"})
    assert response.status_code == 403
    assert _state() == before


@pytest.mark.parametrize(("path", "needs"), PAGES + ACTIONS)
def test_the_outsider_gets_404_everywhere_and_sees_nothing(client, people, ids, workgroup, path, needs):
    client.force_login(people["outsider"])
    before = _state()
    response = client.post(_url(workgroup.slug, path, ids)) if (path, needs) in ACTIONS else \
        client.get(_url(workgroup.slug, path, ids))
    assert response.status_code == 404
    assert "Riverbend" not in _body(response)
    assert _state() == before


@pytest.mark.parametrize(("path", "needs"), [p for p in PAGES + ACTIONS if "{" in p[0]])
def test_another_workgroups_ids_through_our_urls_are_not_found(client, people, ids, workgroup, path, needs):
    client.force_login(people[Role.COORDINATOR])
    before = _state()
    url = _url(workgroup.slug, path, {workgroup.slug: ids["elsewhere"]})
    response = client.post(url) if (path, needs) in ACTIONS else client.get(url)
    if path.startswith("compare/"):
        # Foreign ids in the comparison are dropped, not looked up: the page asks for two rounds.
        assert response.status_code == 400
        assert "at least two" in _body(response)
    else:
        assert response.status_code == 404
    assert not [secret for secret in SECRETS if secret in _body(response)]
    assert _state() == before


@pytest.mark.parametrize(("path", "needs"), PAGES + ACTIONS)
def test_anonymous_visitors_are_sent_to_sign_in(client, ids, workgroup, path, needs):
    response = client.get(_url(workgroup.slug, path, ids))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", READERS)
def test_only_the_invited_member_opens_their_questionnaire(client, people, workgroup, role, ids):
    round_ = AssessmentRound.objects.get(pk=ids[workgroup.slug]["round"])
    member_respondent(round_, people[Role.MEMBER])
    client.force_login(people[role])
    response = client.get(f"/w/{workgroup.slug}/readiness/rounds/{round_.pk}/answer/")
    assert response.status_code == (200 if role == Role.MEMBER else 404)
    assert "Riverbend Other Person" not in _body(response)
