"""The Word round trip through the services: export, edit as counsel would, read back, accept some, reject others."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agreements import services, word
from agreements.models import AgreementStatus, WordImport
from agreements.tests.word_helpers import (
    add_paragraph_after,
    edit_document,
    exported,
    make_agreement,
    remove_bookmark,
    replace_text,
    track_changes,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mou(workgroup, coordinator):
    return make_agreement(workgroup, coordinator)


def counsel_edits(root) -> None:
    replace_text(root, "records for five years", "records for seven years")  # a plain edit
    track_changes(root, within="911 transfers eligible calls to 988.", delete="eligible ", insert_after="to 988",
                  inserted=" and stays on the line")
    remove_bookmark(root, "clause_review")  # the heading "4. Periodic Review" still finds it
    add_paragraph_after(root, "records for seven years", "The parties also swap staff rosters each month.")


def by_key(word_import: WordImport) -> dict[str, dict]:
    return {proposal["key"]: proposal for proposal in word_import.proposals}


@pytest.fixture
def imported(mou, legal_reviewer) -> WordImport:
    data = edit_document(exported(mou), counsel_edits)
    return word.word_import_create(actor=legal_reviewer, agreement=mou, uploaded=upload(data),
                                   from_party="County 911 & Dispatch")


def test_an_untouched_export_reads_back_as_unchanged_in_every_clause(mou, coordinator):
    word_import = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(exported(mou)))

    assert {p["key"]: (p["status"], p["matched_by"]) for p in word_import.proposals} == {
        "purpose": ("unchanged", "bookmark"), "transfer": ("unchanged", "bookmark"),
        "records": ("unchanged", "bookmark"), "review": ("unchanged", "bookmark")}
    assert word_import.unmatched == []
    assert word_import.base_version.number == 1 and word_import.filename == "mou-counsel.docx"


def test_counsels_edits_come_back_clause_by_clause(imported):
    proposals = by_key(imported)

    assert proposals["purpose"]["status"] == "unchanged"
    records = proposals["records"]
    assert records["status"] == "changed" and not records["tracked"]
    assert records["proposed_html"] == "<p>Each party keeps its own records for seven years.</p>"
    transfer = proposals["transfer"]
    assert transfer["status"] == "changed" and transfer["tracked"]
    # Tracked changes read as accepted; the untouched value is its placeholder again.
    assert transfer["proposed_html"] == ("<ol><li>911 transfers calls to 988 and stays on the line.</li>"
                                         "<li>988 calls 911 within [[response_minutes]] minutes.</li></ol>")
    assert transfer["base_html"] == mou_clause(imported, "transfer")
    review = proposals["review"]
    assert (review["status"], review["matched_by"]) == ("unchanged", "heading")
    assert imported.from_party == "County 911 & Dispatch"


def mou_clause(word_import: WordImport, key: str) -> str:
    return next(c["body"] for c in word_import.base_version.clauses if c["key"] == key)


def test_the_review_shows_a_redline_of_each_changed_clause(imported):
    rows = {row["key"]: row for row in word.proposal_rows(imported)}

    assert "<del>five</del> <ins>seven</ins>" in rows["records"]["redline"]
    assert "<del>eligible</del>" in rows["transfer"]["redline"]
    assert "<ins>988 and stays on the line.</ins>" in rows["transfer"]["redline"]
    assert "redline" not in rows["purpose"]


def test_text_outside_every_clause_is_listed_not_lost(imported):
    assert imported.unmatched == [{"text": "The parties also swap staff rosters each month.",
                                   "where": "After “Records”"}]


def test_accepting_one_change_and_rejecting_another_saves_exactly_the_accepted_one(imported, mou, coordinator):
    before = {c["key"]: c["body"] for c in mou.versions.get(number=1).clauses}

    version = word.word_import_apply(actor=coordinator, word_import=imported, accepted_keys={"transfer"})

    mou.refresh_from_db()
    assert version.number == mou.current_version_number == 2
    after = {c["key"]: c["body"] for c in version.clauses}
    assert after["transfer"] == by_key(imported)["transfer"]["proposed_html"]
    assert {key: after[key] for key in ("purpose", "records", "review")} == {
        key: before[key] for key in ("purpose", "records", "review")}  # rejected and unchanged: as they were
    assert "1 of 2 changed clauses accepted" in version.change_summary
    assert "County 911 & Dispatch" in version.change_summary
    imported.refresh_from_db()
    assert imported.applied_version == version and imported.applied_at is not None


def test_a_clause_can_be_edited_on_the_review_page_before_it_is_accepted(imported, coordinator):
    version = word.word_import_apply(actor=coordinator, word_import=imported, accepted_keys={"records"},
                                     edited={"records": "<p>Each party keeps its records for [[response_minutes]] "
                                                        "years.</p>"})

    records = next(c for c in version.clauses if c["key"] == "records")
    assert records["body"] == "<p>Each party keeps its records for [[response_minutes]] years.</p>"


def test_applying_twice_is_refused(imported, coordinator):
    version = word.word_import_apply(actor=coordinator, word_import=imported, accepted_keys={"records"})

    with pytest.raises(ValidationError) as refused:
        word.word_import_apply(actor=coordinator, word_import=imported, accepted_keys={"transfer"})

    assert refused.value.messages == [word.MSG_ALREADY_APPLIED.format(number=version.number)]
    assert imported.agreement.versions.count() == 2


def test_an_import_read_against_an_older_version_is_refused(imported, mou, coordinator):
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title=mou.title, variables={},
                            clause_bodies={"records": "<p>Records are kept for six years.</p>"})

    with pytest.raises(ValidationError) as refused:
        word.word_import_apply(actor=coordinator, word_import=imported, accepted_keys={"records"})

    assert refused.value.messages == [word.MSG_STALE_BASE.format(base=1, current=2)]
    assert mou.versions.count() == 2  # nothing saved over the newer text


def test_an_agreement_in_legal_review_takes_no_changes_from_word(imported, mou, coordinator):
    services.agreement_submit(actor=coordinator, agreement=mou)

    with pytest.raises(ValidationError) as refused:
        word.word_import_apply(actor=coordinator, word_import=imported, accepted_keys={"records"})

    assert refused.value.messages == [word.MSG_NOT_EDITABLE.format(status="in legal review")]
    mou.refresh_from_db()
    assert mou.status == AgreementStatus.IN_REVIEW and mou.current_version_number == 1


def test_nothing_ticked_or_an_unchanged_clause_is_refused(imported, coordinator):
    with pytest.raises(ValidationError, match="Tick at least one"):
        word.word_import_apply(actor=coordinator, word_import=imported, accepted_keys=set())
    with pytest.raises(ValidationError, match="not a changed clause"):
        word.word_import_apply(actor=coordinator, word_import=imported, accepted_keys={"purpose"})


def test_legal_reviewers_upload_but_only_coordinators_apply(imported, legal_reviewer, member, mou):
    with pytest.raises(PermissionDenied):
        word.word_import_apply(actor=legal_reviewer, word_import=imported, accepted_keys={"records"})
    with pytest.raises(PermissionDenied):
        word.word_import_create(actor=member, agreement=mou, uploaded=upload(exported(mou)))


def test_a_clause_whose_bookmark_and_heading_are_gone_is_not_found_and_its_text_is_listed(mou, coordinator):
    def lose_records(root):
        remove_bookmark(root, "clause_records")
        replace_text(root, "3. Records", "3. Keeping records")

    data = edit_document(exported(mou), lose_records)
    word_import = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(data))

    assert by_key(word_import)["records"]["status"] == "not_found"
    texts = [passage["text"] for passage in word_import.unmatched]
    assert "3. Keeping records\nEach party keeps its own records for five years." in texts
