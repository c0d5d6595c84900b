"""Round services: opening, inviting, answering, submitting, reminding."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners.tests.factories import ContactFactory, OrganizationFactory
from readiness import services
from readiness.messages import (
    MSG_ALREADY_RESPONDENT,
    MSG_ALREADY_SUBMITTED,
    MSG_CONTACT_NO_EMAIL,
    MSG_DUE_DATE_PAST,
    MSG_EMAIL_FAILED,
    MSG_ORGANIZATION_REQUIRED,
    MSG_ROLE_REQUIRED,
    MSG_ROUND_CLOSED,
    MSG_UNANSWERED,
    MSG_VERSION_NOT_PUBLISHED,
)
from readiness.models import Answer, AssessmentRound, InstrumentStatus, Respondent, RoundStatus
from readiness.tests.factories import RoundFactory, default_version, link_respondent, member_respondent, small_version

pytestmark = pytest.mark.django_db
BASE = "https://toolkit.test"


def _open(coordinator, workgroup, **overrides):
    fields = {"title": "Baseline", "scope_statement": "Transfers", "goal": "interoperability",
              "due_date": timezone.localdate() + timedelta(days=10),
              "instrument_version": default_version(workgroup)} | overrides
    return services.round_open(actor=coordinator, workgroup=workgroup, **fields)


def test_a_round_opens_on_a_published_version(workgroup, coordinator):
    round_ = _open(coordinator, workgroup)
    assert round_.status == RoundStatus.OPEN and round_.created_by == coordinator


def test_a_round_refuses_a_draft_another_workgroups_version_or_a_past_due_date(
    workgroup, other_workgroup, coordinator
):
    draft, _ = small_version(workgroup, status=InstrumentStatus.DRAFT)
    foreign, _ = small_version(other_workgroup)
    for version in (draft, foreign):
        with pytest.raises(ValidationError) as exc:
            _open(coordinator, workgroup, instrument_version=version)
        assert exc.value.message_dict["instrument_version"] == [MSG_VERSION_NOT_PUBLISHED]
    with pytest.raises(ValidationError) as exc:
        _open(coordinator, workgroup, due_date=timezone.localdate() - timedelta(days=1))
    assert exc.value.message_dict["due_date"] == [MSG_DUE_DATE_PAST]


def test_inviting_contacts_mails_each_a_link_to_their_own_questionnaire(workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup)
    contacts = [ContactFactory(organization=OrganizationFactory(workgroup=workgroup)) for _ in range(2)]
    created = services.respondents_invite_contacts(actor=coordinator, round=round_, contacts=contacts, base_url=BASE)
    assert [r.organization for r in created] == [c.organization for c in contacts]
    assert len(mail.outbox) == 2
    for respondent, message in zip(created, mail.outbox, strict=True):
        assert message.to == [respondent.email]
        # The token carries a timestamp, so compare what the link opens rather than its text.
        sent = re.search(rf"{re.escape(BASE)}/respond/riverbend/(\S+?)/", message.body)
        assert sent is not None, message.body
        assert services.respondent_for_token(token=sent.group(1), slug="riverbend") == respondent
        assert respondent.link_expires_at > timezone.now() + timedelta(days=10)


def test_a_contact_without_email_or_already_invited_is_refused_and_nothing_is_sent(workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup)
    organization = OrganizationFactory(workgroup=workgroup)
    silent = ContactFactory(organization=organization, email="")
    with pytest.raises(ValidationError) as exc:
        services.respondents_invite_contacts(actor=coordinator, round=round_, contacts=[silent], base_url=BASE)
    assert exc.value.messages == [MSG_CONTACT_NO_EMAIL.format(name=silent.name)]
    contact = ContactFactory(organization=organization)
    services.respondents_invite_contacts(actor=coordinator, round=round_, contacts=[contact], base_url=BASE)
    with pytest.raises(ValidationError) as exc:
        services.respondents_invite_contacts(actor=coordinator, round=round_, contacts=[contact], base_url=BASE)
    assert exc.value.messages == [MSG_ALREADY_RESPONDENT.format(name=contact.name)]
    assert round_.respondents.count() == 1 and len(mail.outbox) == 1


def test_inviting_members_refuses_outsiders(workgroup, coordinator, member, outsider):
    round_ = RoundFactory(workgroup=workgroup)
    with pytest.raises(ValidationError, match="is not a member"):
        services.respondents_invite_members(actor=coordinator, round=round_, users=[member, outsider], base_url=BASE)
    assert not round_.respondents.exists()  # all or nothing
    services.respondents_invite_members(actor=coordinator, round=round_, users=[member], base_url=BASE)
    respondent = round_.respondents.get()
    assert respondent.user == member and not respondent.uses_link and not respondent.token_nonce
    assert f"/w/{workgroup.slug}/readiness/rounds/{round_.pk}/answer/" in mail.outbox[0].body


def test_a_refused_address_is_recorded_and_the_others_links_still_work(workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup)
    organization = OrganizationFactory(workgroup=workgroup)
    first, second = (ContactFactory(organization=organization, email=f"{n}@partner.test") for n in ("ok", "bounce"))
    real_send = mail.EmailMessage.send

    def refuse_second(message, *args, **kwargs):
        if message.to == ["bounce@partner.test"]:
            raise OSError("refused")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMessage, "send", autospec=True, side_effect=refuse_second):
        created = services.respondents_invite_contacts(actor=coordinator, round=round_, contacts=[first, second],
                                                       base_url=BASE)
    delivered, refused = created
    assert (delivered.invitation_error, refused.invitation_error) == ("", MSG_EMAIL_FAILED)
    assert delivered.invitation_sent_at is not None and refused.invitation_sent_at is None
    # Nothing was rolled back under the delivered link: it opens the questionnaire.
    assert services.respondent_for_token(token=services.respondent_token(delivered), slug=workgroup.slug) == delivered
    assert [m.to for m in mail.outbox] == [["ok@partner.test"]]


def test_a_refused_resend_keeps_the_earlier_link_working(workgroup, coordinator):
    respondent = link_respondent(RoundFactory(workgroup=workgroup))
    token = services.respondent_token(respondent)
    with mock.patch.object(mail.EmailMessage, "send", side_effect=OSError("refused")), \
            pytest.raises(ValidationError) as exc:
        services.respondent_resend(actor=coordinator, respondent=respondent, base_url=BASE)
    assert exc.value.messages == [MSG_EMAIL_FAILED]
    assert services.respondent_for_token(token=token, slug=workgroup.slug) == respondent


def test_someone_invited_after_the_due_date_still_gets_a_working_link(workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup)
    AssessmentRound.objects.filter(pk=round_.pk).update(due_date=timezone.localdate() - timedelta(days=30))
    round_.refresh_from_db()
    respondent = services.respondent_invite_person(actor=coordinator, round=round_, name="Ana", email="ana@x.test",
                                                   organization=OrganizationFactory(workgroup=workgroup),
                                                   base_url=BASE)
    assert respondent.link_expires_at > timezone.now() + timedelta(days=6)
    assert services.respondent_for_token(token=services.respondent_token(respondent), slug=workgroup.slug)


def test_everyone_answers_for_an_organization(workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup)
    with pytest.raises(ValidationError) as exc:
        services.respondent_invite_person(actor=coordinator, round=round_, name="Ana", email="ana@x.test",
                                          organization=None, base_url=BASE)
    assert exc.value.message_dict["organization"] == [MSG_ORGANIZATION_REQUIRED]
    assert not round_.respondents.exists()


def test_a_member_listed_as_a_contact_starts_with_that_organization(workgroup, coordinator, member):
    organization = OrganizationFactory(workgroup=workgroup, name="Harbor PSAP")
    ContactFactory(organization=organization, email=member.email.upper(), title="Shift supervisor")
    respondent, = services.respondents_invite_members(actor=coordinator, round=RoundFactory(workgroup=workgroup),
                                                      users=[member], base_url=BASE)
    assert (respondent.organization, respondent.role_title) == (organization, "Shift supervisor")


def test_a_closed_round_takes_no_new_respondents_and_no_answers(workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup)
    respondent = link_respondent(round_)
    services.round_close(actor=coordinator, round=round_)
    with pytest.raises(ValidationError) as exc:
        services.respondent_invite_person(actor=coordinator, round=round_, name="Ana", email="ana@x.test",
                                          organization=OrganizationFactory(workgroup=workgroup), base_url=BASE)
    assert exc.value.messages == [MSG_ROUND_CLOSED]
    item = round_.instrument_version.items.first()
    with pytest.raises(ValidationError):
        services.response_save(respondent=respondent, answers={item.pk: "4"})
    assert not Answer.objects.exists()


def test_resending_rotates_the_link_and_removing_refuses_after_submission(workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup)
    respondent = link_respondent(round_)
    old_token = services.respondent_token(respondent)
    services.respondent_resend(actor=coordinator, respondent=respondent, base_url=BASE)
    respondent.refresh_from_db()
    assert services.respondent_token(respondent) != old_token
    with pytest.raises(ValidationError, match="newer link"):
        services.respondent_for_token(token=old_token, slug=workgroup.slug)
    respondent.submitted_at = timezone.now()
    respondent.save()
    with pytest.raises(ValidationError, match="already submitted"):
        services.respondent_remove(actor=coordinator, respondent=respondent)
    assert Respondent.objects.filter(pk=respondent.pk).exists()


def test_answers_are_saved_and_changed_and_invalid_ones_refused(workgroup):
    version, items = small_version(workgroup)
    respondent = link_respondent(RoundFactory(workgroup=workgroup, instrument_version=version))
    services.response_save(respondent=respondent, answers={items["L1"].pk: "4", items["D1"].pk: "partly",
                                                           items["D3"].pk: Decimal("12"),
                                                           items["L4"].pk: "  Funding  "})
    services.response_save(respondent=respondent, answers={items["L1"].pk: "2"})
    stored = {a.item_id: a for a in respondent.answers.all()}
    assert stored[items["L1"].pk].choice == "2"
    assert stored[items["D1"].pk].choice == "partly"
    assert stored[items["D3"].pk].number == Decimal("12")
    assert stored[items["L4"].pk].text == "Funding"
    with pytest.raises(ValidationError) as exc:
        services.response_save(respondent=respondent, answers={items["L1"].pk: "7", items["D1"].pk: "maybe"})
    assert set(exc.value.message_dict) == {f"item_{items['L1'].pk}", f"item_{items['D1'].pk}"}
    assert respondent.answers.get(item=items["L1"]).choice == "2"


def test_an_incomplete_submit_keeps_what_was_typed_and_says_what_is_missing(workgroup):
    version, items = small_version(workgroup)
    respondent = link_respondent(RoundFactory(workgroup=workgroup, instrument_version=version), role_title="")
    with pytest.raises(ValidationError) as exc:
        services.response_submit(respondent=respondent, answers={items["L1"].pk: "5", items["L2"].pk: "unsure"})
    errors = exc.value.message_dict
    assert errors["__all__"] == [MSG_UNANSWERED.format(count=3)]  # L3, D1, D2; text and number are optional
    assert errors["role_title"] == [MSG_ROLE_REQUIRED]
    assert set(respondent.answers.values_list("choice", flat=True)) == {"5", "unsure"}
    respondent.refresh_from_db()
    assert respondent.submitted_at is None and respondent.started_at is not None


def test_submitting_locks_the_answers(workgroup):
    version, items = small_version(workgroup)
    respondent = link_respondent(RoundFactory(workgroup=workgroup, instrument_version=version))
    answers = {items[k].pk: v for k, v in {"L1": "4", "L2": "4", "L3": "2", "D1": "yes", "D2": "unsure"}.items()}
    services.response_submit(respondent=respondent, answers=answers)
    respondent.refresh_from_db()
    assert respondent.is_submitted
    with pytest.raises(ValidationError) as exc:
        services.response_save(respondent=respondent, answers={items["L1"].pk: "1"})
    assert exc.value.messages == [MSG_ALREADY_SUBMITTED]
    assert respondent.answers.get(item=items["L1"]).choice == "4"


def test_a_member_answers_only_their_own_questionnaire(workgroup, member, coordinator):
    version, items = small_version(workgroup)
    respondent = member_respondent(RoundFactory(workgroup=workgroup, instrument_version=version), member)
    with pytest.raises(ValidationError, match="belongs to someone else"):
        services.response_save(respondent=respondent, answers={items["L1"].pk: "3"}, actor=coordinator)
    organization = OrganizationFactory(workgroup=workgroup)
    services.response_save(respondent=respondent, answers={items["L1"].pk: "3"}, actor=member,
                           organization=organization, role_title="Dispatcher")
    respondent.refresh_from_db()
    assert (respondent.organization_name, respondent.role_title) == (organization.name, "Dispatcher")


def test_moving_the_due_date_moves_unanswered_links(workgroup, coordinator):
    round_ = RoundFactory(workgroup=workgroup)
    waiting = link_respondent(round_)
    new_due = timezone.localdate() + timedelta(days=40)
    services.round_update(actor=coordinator, round=round_, title=round_.title, scope_statement="x",
                          due_date=new_due, action_threshold=Decimal("3"))
    waiting.refresh_from_db()
    assert waiting.link_expires_at.date() >= new_due


def test_reminders_go_to_non_respondents_once_a_day(workgroup, coordinator, member):
    round_ = RoundFactory(workgroup=workgroup)
    waiting = link_respondent(round_, email="waiting@partner.test")
    done = link_respondent(round_, email="done@partner.test")
    done.submitted_at = timezone.now()
    done.save()
    expired = link_respondent(round_, email="late@partner.test", expires_in=timedelta(days=-1))
    member_respondent(round_, member)
    assert services.round_send_reminders(round=round_, base_url=BASE) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([waiting.email, member.email])
    assert services.round_send_reminders(round=round_, base_url=BASE) == 0  # not twice in a day
    later = timezone.now() + timedelta(days=1)
    assert services.round_send_reminders(round=round_, base_url=BASE, now=later) == 2
    waiting.refresh_from_db()
    expired.refresh_from_db()
    assert (waiting.reminders_sent, expired.reminders_sent) == (2, 0)


def test_due_soon_rounds_are_reminded_by_the_daily_task(workgroup):
    soon = RoundFactory(workgroup=workgroup, due_date=timezone.localdate() + timedelta(days=2))
    later = RoundFactory(workgroup=workgroup, due_date=timezone.localdate() + timedelta(days=20))
    due_soon = link_respondent(soon)
    link_respondent(later)
    assert services.rounds_send_due_reminders() == 1
    assert [m.to for m in mail.outbox] == [[due_soon.email]]


@pytest.mark.parametrize("role_fixture", ["member", "legal_reviewer", "qa_reviewer", "viewer", "outsider"])
def test_only_coordinators_run_rounds(request, workgroup, role_fixture):
    person = request.getfixturevalue(role_fixture)
    round_ = RoundFactory(workgroup=workgroup)
    with pytest.raises(PermissionDenied):
        services.round_close(actor=person, round=round_)
    with pytest.raises(PermissionDenied):
        services.respondent_invite_person(actor=person, round=round_, name="Ana", email="a@x.test",
                                          organization=None, base_url=BASE)
    round_.refresh_from_db()
    assert round_.is_open and not round_.respondents.exists()
