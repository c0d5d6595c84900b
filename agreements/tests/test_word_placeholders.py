"""Filled-in values in a changed clause: put back as [[placeholders]] where untouched, kept as typed where edited."""

from __future__ import annotations

import pytest

from agreements import word
from agreements.tests.word_helpers import edit_document, exported, make_agreement, replace_text, upload

M_OPEN, M_VALUE, M_CLOSE = "\ue000", "\ue001", "\ue002"


def marked(name: str, value: str) -> str:
    return f"{M_OPEN}{name}{M_VALUE}{value}{M_CLOSE}"


def test_an_untouched_value_becomes_its_placeholder_again_but_the_same_digits_elsewhere_do_not():
    base = f"<p>The {marked('party_count', '2')} parties meet 2 times a year.</p>"

    restored = word.restore_placeholders(base, "<p>The 2 parties meet 2 times each year, or more.</p>")

    assert restored == "<p>The [[party_count]] parties meet 2 times each year, or more.</p>"


def test_an_edited_value_stays_as_typed_and_the_others_come_back():
    base = (f"<p>Made among {marked('parties', 'A &amp; B')} on {marked('effective_date', 'May 1, 2027')}, "
            f"reviewed every {marked('review_months', '12')} months.</p>")

    restored = word.restore_placeholders(
        base, "<p>Made among A &amp; B on June 1, 2027, reviewed every 12 months by counsel.</p>")

    assert restored == ("<p>Made among [[parties]] on June 1, 2027, reviewed every [[review_months]] months "
                        "by counsel.</p>")


def test_a_value_moved_away_from_its_place_is_left_as_text():
    base = f"<p>Starts on {marked('effective_date', 'May 1, 2027')}.</p><p>Ends in time.</p>"

    restored = word.restore_placeholders(base, "<p>Starts soon.</p><p>Ends on May 1, 2027 in time.</p>")

    assert restored == "<p>Starts soon.</p><p>Ends on May 1, 2027 in time.</p>"


@pytest.mark.django_db
def test_a_clause_edited_around_its_values_keeps_its_placeholders(workgroup, coordinator):
    mou = make_agreement(workgroup, coordinator)
    data = edit_document(exported(mou), lambda root: replace_text(root, "and takes effect on", "and starts on"))

    word_import = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(data))

    purpose = next(p for p in word_import.proposals if p["key"] == "purpose")
    assert purpose["status"] == "changed"
    assert purpose["proposed_html"] == ("<p>This agreement, <strong>[[agreement.title]]</strong>, is made among "
                                        "[[parties]] and starts on [[effective_date]].</p>")
    # The redline compares stored texts: only the words counsel changed are marked.
    redline = word.proposal_rows(word_import)[0]["redline"]
    assert "<del>takes effect</del> <ins>starts</ins>" in redline and "[[effective_date]]" in redline


@pytest.mark.django_db
def test_a_date_changed_in_word_becomes_typed_text_in_that_clause(workgroup, coordinator):
    mou = make_agreement(workgroup, coordinator)
    data = edit_document(exported(mou), lambda root: replace_text(root, "May 1, 2027", "June 1, 2027"))

    word_import = word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(data))
    version = word.word_import_apply(actor=coordinator, word_import=word_import, accepted_keys={"purpose"})

    purpose = next(c for c in version.clauses if c["key"] == "purpose")
    assert purpose["body"] == ("<p>This agreement, <strong>[[agreement.title]]</strong>, is made among [[parties]] "
                               "and takes effect on June 1, 2027.</p>")
    assert version.variables["effective_date"] == "2027-05-01"  # the agreement's value itself is untouched
