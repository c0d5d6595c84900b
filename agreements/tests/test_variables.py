"""Typed variables: what is accepted, how it is stored, how it reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agreements.variables import clean_value, display_value, join_names


@pytest.mark.parametrize(
    ("kind", "raw", "stored", "shown"),
    [
        ("text", "  Riverbend County  ", "Riverbend County", "Riverbend County"),
        ("date", "2027-05-01", "2027-05-01", "May 1, 2027"),
        ("number", "12", "12", "12"),
        ("number", "1,500", "1500", "1,500"),
        ("money", "$1,000,000", "1000000.00", "$1,000,000.00"),
        ("money", "2500.5", "2500.50", "$2,500.50"),
        ("bool", "Yes", "yes", "yes"),
        ("party_list", "Crisis Line\n\nCounty 911\nMobile Team", "Crisis Line\nCounty 911\nMobile Team",
         "Crisis Line, County 911 and Mobile Team"),
    ],
)
def test_each_type_is_stored_normalised_and_shown_readably(kind, raw, stored, shown):
    assert clean_value(kind, raw) == stored
    assert display_value(kind, stored) == shown


def test_choices_must_be_one_of_the_listed_values():
    assert clean_value("choice", "quarterly", choices=("monthly", "quarterly")) == "quarterly"
    with pytest.raises(ValidationError, match="choose one of monthly, quarterly"):
        clean_value("choice", "yearly", choices=("monthly", "quarterly"))


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [("date", "05/01/2027", "not a date"), ("number", "twelve", "not a number"), ("number", "NaN", "out of range"),
     ("money", "-5", "cannot be negative"), ("money", "1e30", "out of range"), ("bool", "maybe", "yes or no"),
     ("text", "x" * 501, "longer than"), ("text", "a\x00b", "cannot be kept in documents")],
)
def test_bad_values_are_refused_with_a_clear_message(kind, raw, message):
    with pytest.raises(ValidationError, match=message):
        clean_value(kind, raw, label="Effective date")


def test_names_are_joined_the_way_an_agreement_lists_parties():
    assert join_names(["A"]) == "A"
    assert join_names(["A", "B"]) == "A and B"
    assert join_names(["A", "B", "C"]) == "A, B and C"


def test_a_draft_may_leave_values_blank_and_they_print_as_a_line_to_fill_in():
    assert clean_value("date", "") == ""
    assert display_value("date", "") == "__________"
    assert display_value("money", "") == "__________"


@pytest.mark.parametrize(("kind", "raw", "stored"), [
    ("text", "Monday\x0bto Friday", "Monday to Friday"),  # Word's line break: one line
    ("party_list", "Riverbend 988\x0bCounty 911", "Riverbend 988\nCounty 911"),  # one name per line
    ("number", "36\x0b", "36"),
])
def test_words_line_break_is_normalised_in_every_value(kind, raw, stored):
    assert clean_value(kind, raw, label="Value") == stored


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\ud800"])
def test_characters_documents_cannot_hold_are_refused_naming_the_value(char):
    with pytest.raises(ValidationError, match=r"^\['Services: This text contains"):
        clean_value("text", f"24/7{char}", label="Services")
