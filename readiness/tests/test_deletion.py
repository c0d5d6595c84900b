"""Deleting works: a workgroup takes every readiness row with it; people can be deleted and their answers stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import RestrictedError
from django.utils import timezone

from readiness import services
from readiness.messages import MSG_ACCOUNT_DELETED
from readiness.models import (
    ActionItem,
    Answer,
    AssessmentRound,
    Dimension,
    Instrument,
    InstrumentVersion,
    Item,
    Respondent,
)
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version, submitted
from toolkit.models import Membership, Role
from toolkit.services.deletion import user_anonymise, user_delete, workgroup_delete_permanently
from toolkit.services.workgroups import workgroup_create
from toolkit.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

OWNED = (Instrument, InstrumentVersion, Dimension, Item, AssessmentRound, Respondent, ActionItem)


def _rows(workgroup_id: int) -> dict[str, int]:
    counts = {}
    for model in OWNED:
        counts[model.__name__] = model.objects.filter(workgroup_id=workgroup_id).count()
        counts[f"{model.__name__} history"] = model.history.model.objects.filter(workgroup_id=workgroup_id).count()
    counts["Answer"] = Answer.objects.filter(respondent__workgroup_id=workgroup_id).count()
    return counts


def _seeded(name: str, slug: str, email: str):
    """A workgroup as the app creates it, with the partners and readiness demo data."""
    founder = UserFactory(email=email)
    workgroup = workgroup_create(actor=founder, name=name, slug=slug, jurisdiction_type="county",
                                 jurisdiction_name=name, goal="interoperability")
    for label in ("partners", "readiness"):
        apps.get_app_config(label).seed_demo(workgroup=workgroup, actor=founder)
    return workgroup, founder


def test_deleting_a_seeded_workgroup_takes_every_readiness_row_and_its_history_and_leaves_the_other():
    ours, _ = _seeded("Riverbend County Workgroup", "riverbend", "founder@riverbend.test")
    theirs, _ = _seeded("Elsewhere Workgroup", "elsewhere", "founder@elsewhere.test")
    assert min(_rows(ours.pk).values()) > 0  # the demo has every kind of row (and its history)
    kept = _rows(theirs.pk)
    staff = UserFactory(email="staff@example.org", is_staff=True)

    workgroup_delete_permanently(actor=staff, workgroup=ours)

    assert set(_rows(ours.pk).values()) == {0}
    assert _rows(theirs.pk) == kept


def test_a_version_a_round_cites_cannot_be_deleted_on_its_own(workgroup):
    version, _ = small_version(workgroup)
    RoundFactory(workgroup=workgroup, instrument_version=version)

    with pytest.raises(RestrictedError):
        version.delete()
    with pytest.raises(RestrictedError):
        version.instrument.delete()

    assert InstrumentVersion.objects.filter(pk=version.pk).exists()


# --- People ------------------------------------------------------------------------------------------


@pytest.fixture
def answered(workgroup, coordinator):
    """One member submitted, another is halfway; both accounts are about to go."""
    version, items = small_version(workgroup)
    round_ = RoundFactory(workgroup=workgroup, instrument_version=version)
    done_user, halfway_user = UserFactory(email="done@riverbend.test"), UserFactory(email="halfway@riverbend.test")
    for user in (done_user, halfway_user):
        MembershipFactory(user=user, workgroup=workgroup, role=Role.MEMBER)
    done = submitted(member_respondent(round_, done_user), {items["L1"]: "4", items["D1"]: "yes"})
    halfway = member_respondent(round_, halfway_user)
    Answer.objects.create(respondent=halfway, item=items["L1"], choice="2")
    halfway.started_at = timezone.now()
    halfway.save(update_fields=["started_at"])
    ActionItem.objects.create(workgroup=workgroup, round=round_, title="Follow up", accepted_by=done_user)
    return round_, done, halfway


def test_deleting_a_respondents_account_keeps_the_response_and_its_answers(answered, workgroup):
    round_, done, halfway = answered
    staff = UserFactory(email="staff@example.org", is_staff=True)

    user_delete(actor=staff, user=done.user)
    user_delete(actor=staff, user=halfway.user)

    for respondent, answers in ((done, 2), (halfway, 1)):
        respondent.refresh_from_db()
        assert respondent.user_id is None and respondent.account_deleted and not respondent.uses_link
        assert respondent.answers.count() == answers
    assert done.is_submitted and done.state_label == "Submitted"
    assert halfway.state_label == "Account deleted"
    assert ActionItem.objects.get(round=round_).accepted_by is None
    from readiness.selectors import round_result

    assert round_result(round=round_).responses == 1  # the submitted answers still count


def test_anonymising_a_respondents_account_keeps_the_response(answered):
    _round, done, _halfway = answered
    staff = UserFactory(email="staff@example.org", is_staff=True)

    user_anonymise(actor=staff, user=done.user)

    done.refresh_from_db()
    assert done.user is not None and done.answers.count() == 2


def test_nothing_is_sent_for_a_deleted_account_and_nobody_answers_in_its_place(answered, coordinator, settings):
    round_, _done, halfway = answered
    halfway_user = halfway.user
    user_delete(actor=UserFactory(email="staff@example.org", is_staff=True), user=halfway_user)
    halfway.refresh_from_db()
    mail.outbox.clear()

    assert services.round_send_reminders(round=round_, base_url="http://testserver") == 0
    with pytest.raises(ValidationError) as refused:
        services.respondent_resend(actor=coordinator, respondent=halfway, base_url="http://testserver")
    assert refused.value.messages == [MSG_ACCOUNT_DELETED.format(name=halfway.name)]
    with pytest.raises(ValidationError):
        services.response_save(respondent=halfway, answers={})
    with pytest.raises(ValidationError):
        services.response_save(respondent=halfway, answers={}, actor=coordinator)
    with pytest.raises(ValidationError):  # and no link can be made for it
        services.respondent_for_token(token=services.respondent_token(halfway), slug=round_.workgroup.slug)
    assert mail.outbox == []


def test_moving_the_due_date_or_reopening_leaves_a_deleted_accounts_row_alone(answered, coordinator):
    round_, _done, halfway = answered
    link = link_respondent(round_, name="Link Person")
    user_delete(actor=UserFactory(email="staff@example.org", is_staff=True), user=halfway.user)
    new_due = timezone.localdate() + timedelta(days=40)

    services.round_update(actor=coordinator, round=round_, title=round_.title, scope_statement="Scope",
                          due_date=new_due, action_threshold=round_.action_threshold)
    services.round_close(actor=coordinator, round=round_)
    services.round_reopen(actor=coordinator, round=round_, due_date=new_due + timedelta(days=1))

    halfway.refresh_from_db()
    link.refresh_from_db()
    assert halfway.link_expires_at is None and halfway.token_nonce == ""
    assert link.link_expires_at.date() > new_due


def test_the_round_page_says_an_account_was_deleted_and_offers_no_resend(client, answered, coordinator):
    round_, _done, halfway = answered
    user_delete(actor=UserFactory(email="staff@example.org", is_staff=True), user=halfway.user)
    client.force_login(coordinator)

    page = client.get(f"/w/riverbend/readiness/rounds/{round_.pk}/").content.decode()

    assert 'data-testid="account-deleted"' in page
    assert f"/respondents/{halfway.pk}/resend/" not in page
    assert f"/respondents/{halfway.pk}/remove/" in page  # the coordinator can still take them off the round


def test_a_member_who_leaves_the_workgroup_is_not_reminded(answered):
    round_, _done, halfway = answered
    Membership.objects.filter(user=halfway.user).delete()

    assert services.round_send_reminders(round=round_, base_url="http://testserver") == 0
