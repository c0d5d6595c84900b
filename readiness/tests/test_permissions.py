"""What the URL walk (toolkit/tests/test_url_matrix.py) cannot see: whose questionnaire it is, foreign ids."""

from __future__ import annotations

import pytest

from readiness import services
from readiness.models import ActionItem, AssessmentRound
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version, submitted
from toolkit.models import Role

READERS = [Role.COORDINATOR, Role.MEMBER, Role.LEGAL_REVIEWER, Role.QA_REVIEWER, Role.VIEWER]
SECRETS = ("Elsewhere Secret Instrument", "Elsewhere Secret Round", "Elsewhere Secret Person",
           "Elsewhere Secret Action")


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


def _body(response) -> str:
    return response.content.decode(errors="replace")


def test_another_workgroups_rounds_in_a_comparison_are_dropped_not_looked_up(client, people, ids, workgroup):
    """The comparison takes round ids from the query string; foreign ones are left out, never shown."""
    client.force_login(people[Role.COORDINATOR])
    theirs = ids["elsewhere"]
    response = client.get(f"/w/{workgroup.slug}/readiness/compare/?round={theirs['round']}&round={theirs['old_round']}")

    assert response.status_code == 400
    assert "at least two" in _body(response)
    assert not [secret for secret in SECRETS if secret in _body(response)]


@pytest.mark.parametrize("role", READERS)
def test_only_the_invited_member_opens_their_questionnaire(client, people, workgroup, role, ids):
    round_ = AssessmentRound.objects.get(pk=ids[workgroup.slug]["round"])
    member_respondent(round_, people[Role.MEMBER])
    client.force_login(people[role])
    response = client.get(f"/w/{workgroup.slug}/readiness/rounds/{round_.pk}/answer/")
    assert response.status_code == (200 if role == Role.MEMBER else 404)
    assert "Riverbend Other Person" not in _body(response)
