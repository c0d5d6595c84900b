"""A Word copy is read against the version it was exported from: another agreement's copy, or an older version's,
is refused; a copy that does not say where it came from is read, with a warning on the review page."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError

from agreements import services, word, word_package
from agreements.exports import agreement_docx
from agreements.models import WordImport
from agreements.selectors import render_version
from agreements.tests.word_helpers import (
    as_custom_property,
    edit_document,
    exported,
    exported_version,
    identifier_of,
    make_agreement,
    parts_of,
    replace_text,
    rezip,
    upload,
    with_identifier,
)

pytestmark = pytest.mark.django_db
BASE = "/w/riverbend/agreements"


@pytest.fixture
def mou(workgroup, coordinator):
    return make_agreement(workgroup, coordinator)


def counsel_edits(data: bytes) -> bytes:
    return edit_document(data, lambda root: replace_text(root, "records for five years", "records for seven years"))


def save_version_2(mou, coordinator) -> None:
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title=mou.title, variables={},
                            clause_bodies={"review": "<p>The [[party_count]] parties meet every month.</p>"})


def refusal(mou, actor, data: bytes) -> str:
    before = WordImport.objects.count()
    with pytest.raises(ValidationError) as refused:
        word.word_import_create(actor=actor, agreement=mou, uploaded=upload(data))
    assert WordImport.objects.count() == before  # nothing kept
    return " ".join(refused.value.messages)


def test_the_export_names_its_agreement_and_version_and_stays_reproducible(mou):
    data = exported(mou)

    assert identifier_of(data) == f"crisis-interop-toolkit:agreement:{mou.pk}:version:1"
    assert word._ORIGIN.fullmatch(render_version(mou.versions.get(number=1)).reference)  # writer and reader agree
    assert exported(mou) == data


def test_an_export_of_text_that_is_no_saved_version_carries_no_mark(mou):
    rendered = render_version(mou.versions.get(number=1))
    unmarked = agreement_docx(replace(rendered, reference=""))

    assert identifier_of(unmarked) == ""


def test_a_copy_of_the_current_version_is_read_against_it_with_its_origin_checked(mou, legal_reviewer):
    word_import = word.word_import_create(actor=legal_reviewer, agreement=mou, uploaded=upload(counsel_edits(
        exported(mou))))

    assert word_import.base_version.number == 1 and not word.origin_unchecked(word_import)
    assert [p["key"] for p in word_import.proposals if p["status"] == "changed"] == ["records"]


def test_a_copy_of_an_older_version_is_refused_so_the_newer_text_is_not_undone(mou, coordinator, legal_reviewer):
    edited_v1 = counsel_edits(exported(mou))
    save_version_2(mou, coordinator)  # the coordinator's edit while counsel worked on version 1

    message = refusal(mou, legal_reviewer, edited_v1)

    assert message == ("This copy was exported from version 1; the agreement is now at version 2. Export the current "
                       "version for counsel, or compare the two by hand.")
    assert mou.versions.count() == 2


def test_an_older_version_exported_from_its_own_page_is_refused_too(mou, coordinator):
    save_version_2(mou, coordinator)

    assert refusal(mou, coordinator, exported_version(mou, 1)) == word.MSG_OLDER_VERSION.format(base=1, current=2)
    imported = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(exported_version(mou, 2)))
    assert imported.base_version.number == 2 and imported.unmatched == []


def test_a_copy_of_another_agreement_from_the_same_template_is_refused(mou, workgroup, coordinator):
    other = services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=mou.template, title="Second County MOU",
        parties=[{"organization": p.organization} for p in mou.parties.all()],
        variables={"effective_date": "2027-05-01", "response_minutes": "10"})

    message = refusal(mou, coordinator, counsel_edits(exported(other)))

    assert message == word.MSG_OTHER_AGREEMENT.format(title="County 988/911 MOU")
    assert "Second County MOU" not in message


def test_a_copy_naming_a_version_the_agreement_never_had_is_refused(mou, coordinator):
    data = with_identifier(exported(mou), f"crisis-interop-toolkit:agreement:{mou.pk}:version:7")

    assert refusal(mou, coordinator, data) == word.MSG_UNKNOWN_VERSION.format(base=7, current=1)


def test_a_copy_without_the_mark_is_read_and_flagged_as_unchecked(mou, coordinator):
    data = with_identifier(counsel_edits(exported(mou)), None)

    word_import = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(data))

    assert word.origin_unchecked(word_import) and word.passages(word_import) == []
    assert word_import.base_version.number == 1
    assert [p["key"] for p in word_import.proposals if p["status"] == "changed"] == ["records"]


def test_a_mark_from_another_tool_counts_as_no_mark(mou, coordinator):
    data = with_identifier(exported(mou), "urn:uuid:0f3c2a9e-9a51-4d2b-8a55-3d7c4cf1b0aa")

    word_import = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(data))

    assert word.origin_unchecked(word_import)


def test_the_mark_is_found_where_libreoffice_keeps_it(mou, coordinator):
    current = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(as_custom_property(
        exported(mou))))
    assert not word.origin_unchecked(current)

    save_version_2(mou, coordinator)
    assert refusal(mou, coordinator, as_custom_property(exported_version(mou, 1))) == (
        word.MSG_OLDER_VERSION.format(base=1, current=2))


def test_document_properties_with_a_doctype_are_refused_like_any_other_part(mou, coordinator):
    parts = parts_of(exported(mou))
    parts["docProps/core.xml"] = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                  b'<cp:coreProperties xmlns:cp="urn:x"/>')

    assert refusal(mou, coordinator, rezip(parts)) == word_package.MSG_DTD


def test_the_review_page_warns_when_the_origin_could_not_be_checked(client, mou, coordinator):
    unmarked = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(
        with_identifier(counsel_edits(exported(mou)), None)))
    marked = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(counsel_edits(exported(mou))))
    client.force_login(coordinator)

    warned = client.get(f"{BASE}/{mou.pk}/word/{unmarked.pk}/").content.decode()
    plain = client.get(f"{BASE}/{mou.pk}/word/{marked.pk}/").content.decode()
    listing = client.get(f"{BASE}/{mou.pk}/word/").content.decode()

    assert "could not check where this file came from" in warned
    assert "None: every passage of the terms belongs to a clause." in warned  # the note is not a passage
    assert "could not check where this file came from" not in plain
    assert listing.count("Origin not checked") == 1


def test_an_older_copy_is_refused_next_to_the_file_field(client, mou, coordinator):
    edited_v1 = counsel_edits(exported(mou))
    save_version_2(mou, coordinator)
    client.force_login(coordinator)

    response = client.post(f"{BASE}/{mou.pk}/word/", {"file": upload(edited_v1)})

    assert response.status_code == 400
    assert "This copy was exported from version 1; the agreement is now at version 2." in response.content.decode()
    assert not WordImport.objects.exists()
