"""Instrument services: the default copy, drafts, publishing, and immutability of published versions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from readiness import defaults, services
from readiness.messages import MSG_DIMENSION_KEY_TAKEN, MSG_DRAFT_EXISTS, MSG_VERSION_NOT_EDITABLE
from readiness.models import AnswerType, Dimension, Instrument, InstrumentStatus, InstrumentVersion, Item
from readiness.tests.factories import default_version, small_version
from toolkit import services as toolkit_services

pytestmark = pytest.mark.django_db


def test_the_default_instrument_is_published_with_every_dimension_of_the_issue(workgroup):
    version = default_version(workgroup)
    assert version.status == InstrumentStatus.PUBLISHED
    keys = list(version.dimensions.values_list("key", flat=True))
    assert keys == ["vision", "leadership", "engagement", "resources", "protocols", "data", "training",
                    "sustainability"]
    assert version.items.count() == sum(len(d[4]) for d in defaults.DIMENSIONS)
    assert version.items.filter(reverse_scored=True).exists()
    assert set(version.items.values_list("answer_type", flat=True)) == set(AnswerType.values)


def test_the_default_is_created_once(workgroup):
    services.instrument_ensure_default(workgroup=workgroup)
    services.instrument_ensure_default(workgroup=workgroup)
    assert Instrument.objects.filter(workgroup=workgroup).count() == 1


def test_a_new_workgroup_gets_the_default_instrument(coordinator):
    workgroup = toolkit_services.workgroup_create(
        actor=coordinator, name="Lakeshore", jurisdiction_type="city", jurisdiction_name="Lakeshore",
        goal="interoperability",
    )
    assert InstrumentVersion.objects.filter(instrument__workgroup=workgroup, status="published").count() == 1


def test_a_new_draft_copies_dimensions_and_statements(workgroup, coordinator):
    version = default_version(workgroup)
    draft = services.version_new_draft(actor=coordinator, from_version=version, change_summary="Youth questions")
    assert (draft.number, draft.status, draft.based_on) == (2, InstrumentStatus.DRAFT, version)
    original = list(version.items.order_by("dimension__order", "order").values_list(
        "dimension__key", "statement", "answer_type", "weight", "reverse_scored"))
    copied = list(draft.items.order_by("dimension__order", "order").values_list(
        "dimension__key", "statement", "answer_type", "weight", "reverse_scored"))
    assert copied == original
    assert not draft.items.filter(dimension__version=version).exists()


def test_only_one_draft_at_a_time(workgroup, coordinator):
    version = default_version(workgroup)
    services.version_new_draft(actor=coordinator, from_version=version)
    with pytest.raises(ValidationError) as exc:
        services.version_new_draft(actor=coordinator, from_version=version)
    assert exc.value.messages == [MSG_DRAFT_EXISTS.format(number=2)]


@pytest.mark.parametrize(
    "edit",
    [
        lambda v, d, i, actor: services.dimension_save(actor=actor, version=v, dimension=d, name="Renamed"),
        lambda v, d, i, actor: services.dimension_save(actor=actor, version=v, name="New dimension"),
        lambda v, d, i, actor: services.dimension_move(actor=actor, dimension=d, direction="down"),
        lambda v, d, i, actor: services.item_save(actor=actor, version=v, item=i, dimension=d, statement="Changed",
                                                  answer_type=AnswerType.AGREEMENT),
        lambda v, d, i, actor: services.item_save(actor=actor, version=v, dimension=d, statement="Added",
                                                  answer_type=AnswerType.AGREEMENT),
        lambda v, d, i, actor: services.item_delete(actor=actor, item=i),
        lambda v, d, i, actor: services.item_move(actor=actor, item=i, direction="down"),
        lambda v, d, i, actor: services.version_update(actor=actor, version=v, change_summary="Sneaky"),
        lambda v, d, i, actor: services.version_publish(actor=actor, version=v),
    ],
    ids=["edit-dimension", "add-dimension", "move-dimension", "edit-item", "add-item", "delete-item", "move-item",
         "edit-version", "publish-again"],
)
def test_a_published_version_cannot_change_by_any_service(workgroup, coordinator, edit):
    version = default_version(workgroup)
    dimension = version.dimensions.first()
    item = dimension.items.first()
    before = list(Item.objects.filter(version=version).values_list("pk", "statement", "order", "dimension_id"))
    dimensions_before = list(Dimension.objects.filter(version=version).values_list("pk", "name", "order"))
    with pytest.raises(ValidationError) as exc:
        edit(version, dimension, item, coordinator)
    assert exc.value.messages == [MSG_VERSION_NOT_EDITABLE]
    assert list(Item.objects.filter(version=version).values_list("pk", "statement", "order", "dimension_id")) == before
    assert list(Dimension.objects.filter(version=version).values_list("pk", "name", "order")) == dimensions_before


def test_publishing_retires_the_previous_version_and_freezes_the_draft(workgroup, coordinator):
    version = default_version(workgroup)
    draft = services.version_new_draft(actor=coordinator, from_version=version)
    services.version_publish(actor=coordinator, version=draft)
    version.refresh_from_db()
    draft.refresh_from_db()
    assert (version.status, draft.status) == (InstrumentStatus.RETIRED, InstrumentStatus.PUBLISHED)
    assert draft.published_at is not None
    with pytest.raises(ValidationError):
        services.dimension_save(actor=coordinator, version=draft, name="Too late")


def test_a_draft_without_scored_statements_cannot_be_published(workgroup, coordinator):
    instrument = services.instrument_create(actor=coordinator, workgroup=workgroup, name="Pilot check")
    draft = instrument.versions.get()
    with pytest.raises(ValidationError, match="add at least one dimension"):
        services.version_publish(actor=coordinator, version=draft)
    dimension = services.dimension_save(actor=coordinator, version=draft, name="Staffing")
    services.item_save(actor=coordinator, version=draft, dimension=dimension, statement="Comments?",
                       answer_type=AnswerType.TEXT)
    with pytest.raises(ValidationError, match="“Staffing” has no scored statement"):
        services.version_publish(actor=coordinator, version=draft)
    services.item_save(actor=coordinator, version=draft, dimension=dimension, statement="We have staff.",
                       answer_type=AnswerType.AGREEMENT, weight=Decimal("2"))
    assert services.version_publish(actor=coordinator, version=draft).status == InstrumentStatus.PUBLISHED


def test_dimension_keys_are_slugs_of_the_name_and_unique(workgroup, coordinator):
    draft = services.instrument_create(actor=coordinator, workgroup=workgroup, name="Pilot").versions.get()
    first = services.dimension_save(actor=coordinator, version=draft, name="Data & Tech")
    second = services.dimension_save(actor=coordinator, version=draft, name="Data & tech")
    assert (first.key, second.key) == ("data-tech", "data-tech-2")
    with pytest.raises(ValidationError) as exc:
        services.dimension_save(actor=coordinator, version=draft, dimension=second, name="X", key="data-tech")
    assert exc.value.message_dict["key"] == [MSG_DIMENSION_KEY_TAKEN.format(key="data-tech")]


def test_reverse_scoring_is_refused_for_free_text(workgroup, coordinator):
    draft = services.instrument_create(actor=coordinator, workgroup=workgroup, name="Pilot").versions.get()
    dimension = services.dimension_save(actor=coordinator, version=draft, name="Staffing")
    with pytest.raises(ValidationError) as exc:
        services.item_save(actor=coordinator, version=draft, dimension=dimension, statement="Comments?",
                           answer_type=AnswerType.TEXT, reverse_scored=True)
    assert "reverse_scored" in exc.value.message_dict
    assert not draft.items.exists()


def test_the_database_refuses_reverse_scored_free_text_too(workgroup):
    version, items = small_version(workgroup)
    Item.objects.filter(pk=items["L1"].pk).update(reverse_scored=True)  # scored: allowed
    with pytest.raises(IntegrityError):
        Item.objects.filter(pk=items["L4"].pk).update(reverse_scored=True)


def test_a_statement_cannot_move_to_a_dimension_of_another_version(workgroup, coordinator):
    published, _ = small_version(workgroup, name="Other")
    draft = services.instrument_create(actor=coordinator, workgroup=workgroup, name="Pilot").versions.get()
    with pytest.raises(ValidationError):
        services.item_save(actor=coordinator, version=draft, dimension=published.dimensions.first(),
                           statement="Hi", answer_type=AnswerType.AGREEMENT)


def test_moving_swaps_neighbours_and_stops_at_the_ends(workgroup, coordinator):
    draft = services.version_new_draft(actor=coordinator, from_version=default_version(workgroup))
    keys = lambda: list(draft.dimensions.order_by("order", "pk").values_list("key", flat=True))  # noqa: E731
    start = keys()
    services.dimension_move(actor=coordinator, dimension=draft.dimensions.get(key="leadership"), direction="up")
    assert keys()[:2] == ["leadership", "vision"]
    services.dimension_move(actor=coordinator, dimension=draft.dimensions.get(key="leadership"), direction="up")
    assert keys()[:2] == ["leadership", "vision"]
    services.dimension_move(actor=coordinator, dimension=draft.dimensions.get(key="leadership"), direction="down")
    assert keys() == start


def test_a_dimension_with_statements_cannot_be_deleted(workgroup, coordinator):
    draft = services.version_new_draft(actor=coordinator, from_version=default_version(workgroup))
    dimension = draft.dimensions.first()
    with pytest.raises(ValidationError, match="Move or delete the statements"):
        services.dimension_delete(actor=coordinator, dimension=dimension)
    assert Dimension.objects.filter(pk=dimension.pk).exists()


@pytest.mark.parametrize("role_fixture", ["member", "legal_reviewer", "qa_reviewer", "viewer", "outsider"])
def test_only_coordinators_edit_instruments(request, workgroup, coordinator, role_fixture):
    person = request.getfixturevalue(role_fixture)
    draft = services.version_new_draft(actor=coordinator, from_version=default_version(workgroup))
    with pytest.raises(PermissionDenied):
        services.dimension_save(actor=person, version=draft, name="Mine")
    with pytest.raises(PermissionDenied):
        services.version_publish(actor=person, version=draft)
    with pytest.raises(PermissionDenied):
        services.instrument_create(actor=person, workgroup=workgroup, name="Mine")
    assert not draft.dimensions.filter(name="Mine").exists()


def test_discarding_a_draft_keeps_the_published_versions(workgroup, coordinator):
    version = default_version(workgroup)
    draft = services.version_new_draft(actor=coordinator, from_version=version)
    assert services.version_discard_draft(actor=coordinator, version=draft) == version.instrument
    assert list(version.instrument.versions.all()) == [version]
    assert not Item.objects.filter(version_id=draft.pk).exists()
    with pytest.raises(ValidationError) as exc:
        services.version_discard_draft(actor=coordinator, version=version)
    assert exc.value.messages == [MSG_VERSION_NOT_EDITABLE]


def test_discarding_the_only_draft_of_a_new_instrument_removes_the_instrument(workgroup, coordinator, member):
    instrument = services.instrument_create(actor=coordinator, workgroup=workgroup, name="Abandoned idea")
    with pytest.raises(PermissionDenied):
        services.version_discard_draft(actor=member, version=instrument.versions.get())
    assert services.version_discard_draft(actor=coordinator, version=instrument.versions.get()) is None
    assert not Instrument.objects.filter(pk=instrument.pk).exists()
