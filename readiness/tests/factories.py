"""Readiness test data: instruments, rounds, respondents and answers, built directly (fast) or via services."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from readiness.defaults import INSTRUMENT_NAME
from readiness.models import (
    Answer,
    AnswerType,
    AssessmentRound,
    Dimension,
    Instrument,
    InstrumentStatus,
    InstrumentVersion,
    Item,
    Respondent,
)
from readiness.services.instruments import default_instrument_create


def default_version(workgroup) -> InstrumentVersion:
    """The workgroup's published default instrument (created on first use, whatever else exists)."""
    if not Instrument.objects.filter(workgroup=workgroup, name=INSTRUMENT_NAME).exists():
        default_instrument_create(workgroup=workgroup)
    return InstrumentVersion.objects.get(instrument__workgroup=workgroup, status=InstrumentStatus.PUBLISHED,
                                         instrument__name=INSTRUMENT_NAME)


def small_version(workgroup, *, name: str = "Small instrument", status: str = InstrumentStatus.PUBLISHED):
    """Two dimensions with hand-checkable statements:

    * "lead" (weight 1): L1 agreement w1, L2 agreement w2, L3 agreement reversed w1, L4 free text.
    * "data" (weight 2): D1 yes/partly/no w1, D2 agreement w1, D3 number.
    Returns (version, {"L1": item, ...}).
    """
    instrument = Instrument.objects.create(workgroup=workgroup, name=name)
    version = InstrumentVersion.objects.create(
        workgroup=workgroup, instrument=instrument, number=1, status=status,
        published_at=timezone.now() if status == InstrumentStatus.PUBLISHED else None,
    )
    lead = Dimension.objects.create(workgroup=workgroup, version=version, key="lead", name="Leadership", order=0,
                                    suggested_action="Name an executive sponsor in every partner.")
    data = Dimension.objects.create(workgroup=workgroup, version=version, key="data", name="Data sharing", order=1,
                                    weight=Decimal("2"))
    spec = [
        ("L1", lead, AnswerType.AGREEMENT, "1", False),
        ("L2", lead, AnswerType.AGREEMENT, "2", False),
        ("L3", lead, AnswerType.AGREEMENT, "1", True),
        ("L4", lead, AnswerType.TEXT, "1", False),
        ("D1", data, AnswerType.YES_PARTLY_NO, "1", False),
        ("D2", data, AnswerType.AGREEMENT, "1", False),
        ("D3", data, AnswerType.NUMBER, "1", False),
    ]
    items = {}
    for order, (label, dimension, answer_type, weight, reverse) in enumerate(spec):
        items[label] = Item.objects.create(
            workgroup=workgroup, version=version, dimension=dimension, statement=f"Statement {label}",
            answer_type=answer_type, weight=Decimal(weight), reverse_scored=reverse, order=order,
        )
    return version, items


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentRound

    title = factory.Sequence(lambda n: f"Readiness round {n}")
    instrument_version = factory.LazyAttribute(lambda r: default_version(r.workgroup))
    scope_statement = "Transfers between the county 988 center and the two PSAPs."
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


_AUTO = object()
DEFAULT_ORGANIZATION = "Riverbend Test Partner"


def _organization(round_, organization):
    """Everyone answers for an organization; unless a test names one (or None), it is a shared test partner."""
    if organization is not _AUTO:
        return organization
    from partners.models import Organization
    from partners.tests.factories import OrganizationFactory

    found = Organization.objects.filter(workgroup=round_.workgroup, name=DEFAULT_ORGANIZATION).first()
    return found or OrganizationFactory(workgroup=round_.workgroup, name=DEFAULT_ORGANIZATION)


def link_respondent(round_, *, name="Pat Partner", email=None, organization=_AUTO, role_title="Director",
                    expires_in=timedelta(days=21)) -> Respondent:
    organization = _organization(round_, organization)
    return Respondent.objects.create(
        workgroup=round_.workgroup, round=round_, name=name,
        email=email or f"{secrets.token_hex(4)}@partner.test", organization=organization,
        organization_name=organization.name if organization else "", role_title=role_title,
        token_nonce=secrets.token_hex(16), link_expires_at=timezone.now() + expires_in,
    )


def member_respondent(round_, user, *, organization=_AUTO, role_title="Program manager") -> Respondent:
    organization = _organization(round_, organization)
    return Respondent.objects.create(
        workgroup=round_.workgroup, round=round_, user=user, name=str(user), email=user.email,
        organization=organization, organization_name=organization.name if organization else "",
        role_title=role_title,
    )


def submitted(respondent: Respondent, choices: dict) -> Respondent:
    """Store answers ({Item: "4" | "yes" | "unsure" | Decimal | text}) and mark the response submitted."""
    for item, value in choices.items():
        fields = {"choice": "", "number": None, "text": ""}
        if item.answer_type == AnswerType.NUMBER:
            fields["number"] = Decimal(value)
        elif item.answer_type == AnswerType.TEXT:
            fields["text"] = str(value)
        else:
            fields["choice"] = str(value)
        Answer.objects.create(respondent=respondent, item=item, **fields)
    respondent.started_at = respondent.submitted_at = timezone.now()
    respondent.save(update_fields=["started_at", "submitted_at"])
    return respondent
