"""Reads never write: the default instrument comes with the workgroup; no page or questionnaire writes on GET."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from readiness.defaults import DIMENSIONS, INSTRUMENT_NAME
from readiness.models import Answer, Instrument, InstrumentStatus, InstrumentVersion, Item, Respondent
from readiness.tests.factories import RoundFactory, link_respondent, member_respondent, small_version
from toolkit.services.workgroups import workgroup_create
from toolkit.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def _writes(captured) -> list[str]:
    # Sessions (the login, flashed messages) are not the app's rows.
    return [q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(WRITES)
            and "django_session" not in q["sql"]]


def test_a_new_workgroup_comes_with_the_published_default_instrument():
    founder = UserFactory(email="founder@riverbend.test")

    workgroup = workgroup_create(actor=founder, name="Riverbend County Workgroup", jurisdiction_type="county",
                                 jurisdiction_name="Riverbend County", goal="interoperability")

    version = InstrumentVersion.objects.get(workgroup=workgroup)
    assert version.instrument.name == INSTRUMENT_NAME and version.status == InstrumentStatus.PUBLISHED
    assert version.dimensions.count() == len(DIMENSIONS)
    assert Item.objects.filter(version=version).count() == sum(len(d[4]) for d in DIMENSIONS)


def test_the_readiness_pages_create_no_instrument(client, workgroup, coordinator):
    client.force_login(coordinator)

    with CaptureQueriesContext(connection) as captured:
        for url in ("", "rounds/new/", "instruments/", "actions/", "compare/"):
            assert client.get(f"/w/riverbend/readiness/{url}").status_code == 200, url

    assert not Instrument.objects.exists()
    assert _writes(captured) == []


def test_an_instrument_a_coordinator_discarded_stays_discarded(client, workgroup, coordinator):
    founder_workgroup = workgroup_create(actor=coordinator, name="New Workgroup", slug="new-workgroup",
                                         jurisdiction_type="county", jurisdiction_name="New County",
                                         goal="interoperability")
    Instrument.objects.filter(workgroup=founder_workgroup).delete()  # nothing cites it yet
    client.force_login(coordinator)

    for url in ("", "rounds/new/", "instruments/"):
        assert client.get(f"/w/new-workgroup/readiness/{url}").status_code == 200

    assert not Instrument.objects.filter(workgroup=founder_workgroup).exists()


def test_the_data_migration_gives_existing_workgroups_without_an_instrument_the_default_once(
        workgroup, other_workgroup):
    small_version(other_workgroup, name="Their own instrument")
    migration = importlib.import_module("readiness.migrations.0005_default_instrument_for_existing_workgroups")

    migration.create_missing_default_instruments(apps, None)
    migration.create_missing_default_instruments(apps, None)  # a second run changes nothing

    ours = InstrumentVersion.objects.get(workgroup=workgroup)
    assert ours.instrument.name == INSTRUMENT_NAME and ours.status == InstrumentStatus.PUBLISHED
    assert ours.dimensions.count() == len(DIMENSIONS)
    assert list(Instrument.objects.filter(workgroup=other_workgroup).values_list("name", flat=True)) == [
        "Their own instrument"]


# --- Opening a questionnaire records nothing; the first save does ---------------------------------------


@pytest.fixture
def open_round(workgroup):
    version, items = small_version(workgroup)
    return RoundFactory(workgroup=workgroup, instrument_version=version), items


def _state(respondent: Respondent) -> tuple:
    respondent.refresh_from_db()
    return (respondent.started_at, respondent.updated_at, respondent.history.count(),
            Answer.objects.filter(respondent=respondent).count())


def test_opening_the_one_time_link_writes_nothing_until_the_first_save(client, open_round):
    round_, items = open_round
    respondent = link_respondent(round_)
    from readiness.services import respondent_token

    url = f"/respond/riverbend/{respondent_token(respondent)}/"
    before = _state(respondent)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
        assert client.get(url).status_code == 200

    assert _writes(captured) == [] and _state(respondent) == before and respondent.started_at is None
    response = client.post(url, {f"item_{items['L1'].pk}": "4", "role_title": "Director", "save": "1"})
    assert response.status_code == 302
    respondent.refresh_from_db()
    assert respondent.started_at is not None


def test_opening_the_in_app_questionnaire_writes_nothing_until_the_first_save(client, open_round, member):
    round_, items = open_round
    respondent = member_respondent(round_, member)
    url = f"/w/riverbend/readiness/rounds/{round_.pk}/answer/"
    client.force_login(member)
    before = _state(respondent)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
        assert client.get(f"/w/riverbend/readiness/rounds/{round_.pk}/").status_code == 200

    assert _writes(captured) == [] and _state(respondent) == before and respondent.started_at is None
    assert client.post(url, {f"item_{items['L1'].pk}": "4", "save": "1"}).status_code == 302
    respondent.refresh_from_db()
    assert respondent.started_at is not None
