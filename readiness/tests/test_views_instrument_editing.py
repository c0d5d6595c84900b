"""A coordinator editing instruments: drafts change, published versions never do, and bad input is explained."""

from __future__ import annotations

from decimal import Decimal

import pytest

from readiness.messages import (
    MSG_DIMENSION_EMPTY,
    MSG_DIMENSION_HAS_ITEMS,
    MSG_DIMENSION_KEY_TAKEN,
    MSG_DRAFT_EXISTS,
    MSG_INSTRUMENT_NAME_TAKEN,
    MSG_REVERSE_UNSCORED,
    MSG_VERSION_NOT_EDITABLE,
)
from readiness.models import Dimension, InstrumentStatus, InstrumentVersion, Item
from readiness.tests.factories import default_version, small_version
from readiness.tests.test_views_instruments import BASE, snapshot, text

GOOD_ITEM = {"statement": "Our PSAP can warm-transfer a caller to 988.", "help_text": "", "answer_type": "agreement",
             "weight": "1.5"}


def order_of(version: InstrumentVersion) -> list[str]:
    return list(Dimension.objects.filter(version=version).order_by("order", "pk").values_list("key", flat=True))


def test_a_coordinator_creates_an_instrument_and_lands_on_its_empty_draft(client, workgroup, coordinator):
    client.force_login(coordinator)

    response = client.post(f"{BASE}/instruments/new/", {"name": "  Tribal partners check ", "description": "Short"})

    version = InstrumentVersion.objects.get(instrument__name="Tribal partners check")
    assert (version.number, version.status) == (1, InstrumentStatus.DRAFT)
    assert response.status_code == 302 and response["Location"] == version.get_absolute_url()
    assert "“Tribal partners check” created." in text(client.get(response["Location"]))


def test_a_taken_instrument_name_is_refused_and_the_typed_description_is_kept(client, workgroup, coordinator):
    version = default_version(workgroup)
    client.force_login(coordinator)

    response = client.post(f"{BASE}/instruments/new/", {"name": version.instrument.name.upper(),
                                                          "description": "My careful description"})

    assert response.status_code == 400
    assert MSG_INSTRUMENT_NAME_TAKEN in text(response) and "My careful description" in text(response)
    assert version.instrument.versions.count() == 1


def test_a_coordinator_builds_a_draft_dimension_and_statement_then_edits_moves_and_deletes_them(
    client, workgroup, coordinator
):
    version, items = small_version(workgroup, status=InstrumentStatus.DRAFT)
    client.force_login(coordinator)

    response = client.post(f"{BASE}/versions/{version.pk}/dimensions/new/", {
        "name": "Cross-training", "key": "", "description": "Staff learn each other's work.",
        "suggested_action": "Schedule joint shifts.", "weight": "0.5",
    })
    training = Dimension.objects.get(version=version, name="Cross-training")
    assert response["Location"] == f"{version.get_absolute_url()}#dimension-{training.pk}"
    assert (training.key, training.weight) == ("cross-training", Decimal("0.5"))

    response = client.post(f"{BASE}/versions/{version.pk}/items/new/", {**GOOD_ITEM, "dimension": training.pk})
    item = Item.objects.get(dimension=training)
    assert response["Location"] == f"{version.get_absolute_url()}#item-{item.pk}"
    page = text(client.get(version.get_absolute_url()))
    assert "Our PSAP can warm-transfer a caller to 988." in page and "weight 1.5" in page

    client.post(f"{BASE}/items/{item.pk}/edit/", {**GOOD_ITEM, "dimension": training.pk, "statement": "Reworded",
                                                   "reverse_scored": "on"})
    item.refresh_from_db()
    assert (item.statement, item.reverse_scored) == ("Reworded", True)

    client.post(f"{BASE}/dimensions/{training.pk}/move/", {"direction": "up"})
    assert order_of(version) == ["lead", "cross-training", "data"]
    client.post(f"{BASE}/dimensions/{training.pk}/edit/", {"name": "Joint training", "key": "", "weight": "1"})
    training.refresh_from_db()
    assert (training.name, training.key) == ("Joint training", "cross-training")  # the key stays

    l1, l2 = items["L1"], items["L2"]
    client.post(f"{BASE}/items/{l2.pk}/move/", {"direction": "up"})
    assert list(Item.objects.filter(dimension=l1.dimension).order_by("order", "pk")[:2]) == [l2, l1]

    assert "Delete this statement?" in text(client.get(f"{BASE}/items/{item.pk}/delete/"))
    client.post(f"{BASE}/items/{item.pk}/delete/")
    assert not Item.objects.filter(pk=item.pk).exists()
    client.post(f"{BASE}/dimensions/{training.pk}/delete/")
    assert order_of(version) == ["lead", "data"]


def test_a_dimension_with_statements_cannot_be_deleted_and_says_why(client, workgroup, coordinator):
    version, items = small_version(workgroup, status=InstrumentStatus.DRAFT)
    lead = items["L1"].dimension
    client.force_login(coordinator)

    assert "It still has 4 statements." in text(client.get(f"{BASE}/dimensions/{lead.pk}/delete/"))
    response = client.post(f"{BASE}/dimensions/{lead.pk}/delete/", follow=True)

    assert MSG_DIMENSION_HAS_ITEMS.format(name="Leadership") in text(response)
    assert Dimension.objects.filter(pk=lead.pk).exists()


@pytest.mark.parametrize(("form", "changes", "message"), [
    ("item", {"statement": "   "}, "Write the statement partners will answer."),
    ("item", {"weight": "0"}, "Use a weight from 0.1 to 10"),
    ("item", {"weight": "11"}, "Use a weight from 0.1 to 10"),
    ("item", {"answer_type": "text", "reverse_scored": "on"}, MSG_REVERSE_UNSCORED),
    ("dimension", {"key": "data"}, MSG_DIMENSION_KEY_TAKEN.format(key="data")),
    ("dimension", {"weight": "0"}, "Use a weight from 0.1 to 10"),
    ("dimension", {"key": "Not a key!"}, "Use only lowercase letters"),
])
def test_bad_input_is_explained_and_what_was_typed_is_kept(client, workgroup, coordinator, form, changes, message):
    version, items = small_version(workgroup, status=InstrumentStatus.DRAFT)
    before = snapshot(version)
    client.force_login(coordinator)
    if form == "item":
        url = f"{BASE}/items/{items['L1'].pk}/edit/"
        data = {**GOOD_ITEM, "dimension": items["L1"].dimension_id, "help_text": "Typed help text", **changes}
    else:
        url = f"{BASE}/dimensions/{items['L1'].dimension_id}/edit/"
        data = {"name": "Typed dimension name", "key": "", "weight": "1", "description": "Typed description",
                **changes}

    response = client.post(url, data)

    page = text(response)
    assert response.status_code == 400
    assert message in page
    assert ("Typed help text" if form == "item" else "Typed dimension name") in page
    assert snapshot(version) == before


def write_urls(version: InstrumentVersion, items: dict) -> list[tuple[str, dict]]:
    lead, item = items["L1"].dimension, items["L1"]
    dimension = {"name": "Changed", "key": "changed", "weight": "2"}
    return [
        (f"{BASE}/versions/{version.pk}/edit/", {"change_summary": "Changed"}),
        (f"{BASE}/versions/{version.pk}/dimensions/new/", dimension),
        (f"{BASE}/dimensions/{lead.pk}/edit/", dimension),
        (f"{BASE}/dimensions/{lead.pk}/delete/", {}),
        (f"{BASE}/dimensions/{lead.pk}/move/", {"direction": "down"}),
        (f"{BASE}/versions/{version.pk}/items/new/", {**GOOD_ITEM, "dimension": lead.pk}),
        (f"{BASE}/items/{item.pk}/edit/", {**GOOD_ITEM, "dimension": lead.pk}),
        (f"{BASE}/items/{item.pk}/delete/", {}),
        (f"{BASE}/items/{item.pk}/move/", {"direction": "down"}),
        (f"{BASE}/versions/{version.pk}/publish/", {}),
    ]


@pytest.mark.parametrize("status", [InstrumentStatus.PUBLISHED, InstrumentStatus.RETIRED])
def test_a_published_or_retired_version_refuses_every_change_with_the_reason(client, workgroup, coordinator, status):
    version, items = small_version(workgroup, status=status)
    before = snapshot(version)
    client.force_login(coordinator)

    for url, data in write_urls(version, items):
        response = client.post(url, data, follow=True)
        assert response.redirect_chain[-1][0].startswith(version.get_absolute_url()), url
        assert MSG_VERSION_NOT_EDITABLE in text(response), url
        if not url.endswith(("/move/", "/publish/")):  # editing pages never show their form either
            response = client.get(url, follow=True)
            assert response.redirect_chain and MSG_VERSION_NOT_EDITABLE in text(response), url

    assert snapshot(version) == before


def test_a_new_draft_copies_every_dimension_and_statement_of_the_published_version(client, workgroup, coordinator):
    published, items = small_version(workgroup)
    client.force_login(coordinator)

    response = client.post(f"{BASE}/versions/{published.pk}/new-draft/", {"change_summary": "Add a funding dimension"})

    draft = published.instrument.versions.get(status=InstrumentStatus.DRAFT)
    assert response["Location"] == draft.get_absolute_url()
    assert (draft.number, draft.based_on, draft.change_summary) == (2, published, "Add a funding dimension")
    copy = lambda v: list(Item.objects.filter(version=v).order_by("dimension__order", "order").values_list(  # noqa: E731
        "dimension__key", "dimension__weight", "statement", "answer_type", "weight", "reverse_scored"))
    assert copy(draft) == copy(published) and len(copy(draft)) == 7
    page = text(client.get(draft.get_absolute_url()))
    assert "Version 2 started as a draft copy of version 1." in page
    assert f'based on <a href="{published.get_absolute_url()}">v1</a>' in page

    response = client.post(f"{BASE}/versions/{published.pk}/new-draft/", follow=True)
    assert MSG_DRAFT_EXISTS.format(number=2) in text(response)
    assert published.instrument.versions.count() == 2
    assert 'data-testid="open-draft"' in text(response)


def test_publishing_a_draft_retires_the_version_published_before(client, workgroup, coordinator):
    published, _ = small_version(workgroup)
    client.force_login(coordinator)
    client.post(f"{BASE}/versions/{published.pk}/new-draft/")
    draft = published.instrument.versions.get(status=InstrumentStatus.DRAFT)
    assert "It also retires version 1" in text(client.get(draft.get_absolute_url()))

    response = client.post(f"{BASE}/versions/{draft.pk}/publish/", follow=True)

    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (InstrumentStatus.PUBLISHED, InstrumentStatus.RETIRED)
    assert draft.published_at is not None
    assert "Version 2 is published" in text(response) and "immutable because rounds cite it" in text(response)


def test_publishing_a_draft_with_problems_is_refused_and_the_message_lists_them(client, workgroup, coordinator):
    draft, items = small_version(workgroup, status=InstrumentStatus.DRAFT)
    Item.objects.filter(dimension=items["D1"].dimension).update(answer_type="text")
    Dimension.objects.create(workgroup=workgroup, version=draft, key="funding", name="Funding", order=3)
    client.force_login(coordinator)

    response = client.post(f"{BASE}/versions/{draft.pk}/publish/", follow=True)

    message = text(response).split('role="alert"')[1].split("<button")[0]
    assert "This draft cannot be published yet:" in message
    assert MSG_DIMENSION_EMPTY.format(name="Data sharing") in message
    assert MSG_DIMENSION_EMPTY.format(name="Funding") in message
    draft.refresh_from_db()
    assert draft.status == InstrumentStatus.DRAFT


def test_the_change_summary_of_a_draft_is_edited(client, workgroup, coordinator):
    draft, _ = small_version(workgroup, status=InstrumentStatus.DRAFT)
    client.force_login(coordinator)

    response = client.post(f"{BASE}/versions/{draft.pk}/edit/", {"change_summary": "Shorter statements"}, follow=True)

    assert "Shorter statements" in text(response)
    draft.refresh_from_db()
    assert draft.change_summary == "Shorter statements"


def test_renaming_an_instrument_keeps_its_versions(client, workgroup, coordinator):
    version = default_version(workgroup)
    client.force_login(coordinator)

    response = client.post(f"{BASE}/instruments/{version.instrument_id}/edit/",
                           {"name": "County readiness", "description": "For the county workgroup."}, follow=True)

    assert "County readiness" in text(response) and "For the county workgroup." in text(response)
    version.refresh_from_db()
    assert version.instrument.name == "County readiness" and version.status == InstrumentStatus.PUBLISHED


def test_a_coordinator_discards_a_draft_after_confirming(client, workgroup, coordinator):
    published, _ = small_version(workgroup)
    client.force_login(coordinator)
    client.post(f"{BASE}/versions/{published.pk}/new-draft/", {"change_summary": "Try something"})
    draft = published.instrument.versions.get(status=InstrumentStatus.DRAFT)
    assert 'data-testid="discard"' in text(client.get(draft.get_absolute_url()))

    confirm = client.get(f"{BASE}/versions/{draft.pk}/discard/")
    assert confirm.status_code == 200 and "Published and retired versions stay as they are." in text(confirm)
    assert InstrumentVersion.objects.filter(pk=draft.pk).exists()  # asking changes nothing

    response = client.post(f"{BASE}/versions/{draft.pk}/discard/", follow=True)
    assert "The draft, version 2, was discarded." in text(response)
    assert list(published.instrument.versions.all()) == [published]
    refused = client.post(f"{BASE}/versions/{published.pk}/discard/", follow=True)
    assert MSG_VERSION_NOT_EDITABLE in text(refused)
    assert InstrumentVersion.objects.filter(pk=published.pk, status=InstrumentStatus.PUBLISHED).exists()
