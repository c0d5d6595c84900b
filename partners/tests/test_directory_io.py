"""CSV export and parsing of the contact directory (partners.directory_io); the import jobs: test_imports*.py."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from partners import directory_io, imports, services
from partners.directory_io import EXPORT_COLUMNS, export_directory_csv, parse_directory_csv
from partners.models import Contact, DirectoryImport, Organization, Sector
from toolkit import csv_imports
from toolkit.text import FORMULA_TRIGGERS, escape_cell, unescape_cell

pytestmark = pytest.mark.django_db


# --- Small factories (kept here: other work owns partners/tests/factories.py) -------------------------


def sector_of(workgroup, key: str = "988-center") -> Sector:
    services.partner_map_create_defaults(workgroup=workgroup)
    return Sector.objects.get(workgroup=workgroup, key=key)


def make_org(workgroup, name: str, *, sector_key: str = "988-center", **fields) -> Organization:
    fields = {"org_type": "provider", "engagement_status": "engaged", **fields}
    sector = sector_of(workgroup, sector_key)
    return Organization.objects.create(workgroup=workgroup, name=name, sector=sector, **fields)


def make_contact(org: Organization, name: str, **fields) -> Contact:
    return Contact.objects.create(workgroup=org.workgroup, organization=org, name=name, **fields)


def row(**overrides) -> dict[str, str]:
    """One valid CSV row; tests override the cells they are about."""
    base = {column: "" for column in EXPORT_COLUMNS}
    base.update({
        "organization": "Harbor Crisis Line", "sector": "988 center leadership", "type": "provider",
        "engagement_status": "engaged", "influence": "4", "impact": "3", "interest": "5",
        "contact_name": "Dana Ortiz", "contact_email": "dana@harbor.test", "contact_phone": "(202) 555-0143",
        "contact_primary": "yes",
    })
    base.update(overrides)
    return base


def csv_bytes(*rows: dict[str, str], columns=EXPORT_COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def messages(parsed) -> str:
    return "\n".join(f"{r}|{c}|{m}" for r, c, m in parsed.errors)


def stored_import(workgroup, actor, data: bytes, filename: str = "partners.csv") -> DirectoryImport:
    """An uploaded file as the upload step stores it (without starting its check job)."""
    directory_import = DirectoryImport(workgroup=workgroup, uploaded_by=actor, filename=filename, size=len(data))
    directory_import.file.save(filename, ContentFile(data), save=False)
    directory_import.save()
    return directory_import


def import_now(workgroup, actor, data: bytes) -> tuple[int, int]:
    """Store the file and run the import service on it, as the import job does."""
    return imports.directory_import_apply(actor=actor, directory_import=stored_import(workgroup, actor, data))


# --- Formula escaping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1 202-555-0143", "-x", "@cmd", "\tx", "'=x", "''+y", "'plain", "ok"])
def test_escaping_cells_round_trips_exactly(value):
    escaped = escape_cell(value)
    assert unescape_cell(escaped) == value
    assert escaped[:1] not in FORMULA_TRIGGERS


# --- Round trip ------------------------------------------------------------------------------------------


def test_export_then_import_into_an_empty_workgroup_gives_the_same_csv(workgroup, other_workgroup, outsider):
    services.partner_map_create_defaults(workgroup=workgroup)
    services.partner_map_create_defaults(workgroup=other_workgroup)
    # Only the source has the custom sector: the import adds it to the empty workgroup.
    Sector.objects.create(workgroup=workgroup, key="faith", name="Faith communities")
    harbor = make_org(
        workgroup, "Harbor Crisis Line", website="https://harbor.example.org", jurisdiction="Riverbend County",
        influence=5, impact=4, interest=2, current_engagement="neutral", desired_engagement="leading",
        rating_evidence="Board vote, March", last_reviewed=date(2025, 3, 14),
        notes='=HYPERLINK("http://evil.test") and a "quoted", multi-line\nnote',
    )
    make_contact(harbor, "Dana Ortiz", title="Director", email="dana@harbor.test", phone="+1 202-555-0143",
                 is_primary=True, workgroup_role="chair", turnover_risk="high")
    make_contact(harbor, "Sam Lee", title="-Deputy", email="sam@harbor.test", workgroup_role="alternate")
    make_org(workgroup, "St. Anne's Parish", sector_key="faith", org_type="community", engagement_status="invited")
    psap = make_org(workgroup, "Riverbend 911", sector_key="911-psap", org_type="public_agency")
    make_contact(psap, "Chris Park", title="@Ops lead", email="chris@psap.test", phone="+1 202-555-0187")

    exported = export_directory_csv(workgroup=workgroup)
    assert "'=HYPERLINK" in exported and "'-Deputy" in exported
    assert "(202) 555-0143" in exported and "+1 202" not in exported  # US numbers: no formula-looking "+"
    assert exported.count("\r\n") >= 5  # header, 4 rows (the multi-line note adds one more line)

    parsed = parse_directory_csv(workgroup=other_workgroup, data=exported.encode("utf-8"))
    assert parsed.errors == []
    assert (len(parsed.organizations), parsed.contact_count, parsed.row_count) == (3, 3, 4)
    assert import_now(other_workgroup, outsider, exported.encode("utf-8")) == (3, 3)

    assert export_directory_csv(workgroup=other_workgroup) == exported
    imported = Organization.objects.get(workgroup=other_workgroup, name="Harbor Crisis Line")
    assert imported.contacts.get(name="Dana Ortiz").phone == "+1 202-555-0143"  # stored international again
    assert imported.notes.startswith("=HYPERLINK")
    assert imported.history.first().history_user == outsider  # the audit trail names who imported


def test_export_writes_one_row_per_contact_and_one_for_an_organization_without_contacts(workgroup):
    org = make_org(workgroup, "Harbor Crisis Line")
    make_contact(org, "Dana Ortiz", is_primary=True)
    make_contact(org, "Sam Lee")
    make_org(workgroup, "Quiet Org")
    rows = list(csv.DictReader(io.StringIO(export_directory_csv(workgroup=workgroup))))
    assert [(r["organization"], r["contact_name"], r["contact_primary"]) for r in rows] == [
        ("Harbor Crisis Line", "Dana Ortiz", "yes"), ("Harbor Crisis Line", "Sam Lee", "no"), ("Quiet Org", "", ""),
    ]
    assert rows[0]["sector"] == "988 center leadership" and rows[0]["engagement_status"] == "engaged"
    assert "contact_lived_experience" not in rows[0]  # sensitive: never exported


def test_export_leaves_out_other_workgroups(workgroup, other_workgroup):
    make_org(workgroup, "Ours")
    make_org(other_workgroup, "Secret Theirs")
    assert "Secret Theirs" not in export_directory_csv(workgroup=workgroup)


# --- Valid input -----------------------------------------------------------------------------------------


def test_parse_accepts_labels_any_case_a_bom_and_normalises_phones(workgroup):
    sector_of(workgroup)
    data = "\ufeff".encode() + csv_bytes(row(sector="988 CENTER LEADERSHIP", type="Service provider",
                                             engagement_status="CHAMPION", contact_workgroup_role="Voting member"))
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    assert parsed.errors == []
    (org,) = parsed.organizations
    assert (org.fields["org_type"], org.fields["engagement_status"]) == ("provider", "champion")
    assert org.contacts[0]["phone"] == "+1 202-555-0143"
    assert org.contacts[0]["workgroup_role"] == "voting"


# --- Bad files: row-level messages, nothing written ------------------------------------------------------


@pytest.fixture
def counts(workgroup):
    sector_of(workgroup)
    make_org(workgroup, "Existing Partner")

    def current():
        return Organization.objects.count(), Contact.objects.count()

    return current


def _assert_refused(workgroup, coordinator, data: bytes, before):
    """The import of the same bytes writes nothing either."""
    with pytest.raises(ValidationError):
        import_now(workgroup, coordinator, data)
    assert (Organization.objects.count(), Contact.objects.count()) == before


def test_wrong_columns_are_listed_by_name(workgroup, coordinator, counts):
    before = counts()
    columns = [c for c in EXPORT_COLUMNS if c != "sector"] + ["fax"]
    data = csv_bytes(row(fax="1"), columns=columns)
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    assert parsed.file_rejected
    assert (1, "", "Missing columns: sector.") in parsed.errors
    assert (1, "", "Unknown columns: fax.") in parsed.errors
    _assert_refused(workgroup, coordinator, data, before)


def test_every_bad_cell_is_reported_with_its_row_and_column(workgroup, coordinator, counts):
    before = counts()
    data = csv_bytes(
        row(organization="A", contact_email="not-an-email"),
        row(organization="B", contact_phone="12", contact_email="b@b.test"),
        row(organization="C", sector="", contact_email="c@c.test"),
        row(organization="D", influence="7", contact_email="d@d.test"),
        row(organization="E", type="spaceship", last_reviewed="14/03/2025", website="harbor", contact_email=""),
        row(organization="F", contact_email="f@f.test"),
    )
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    found = {(r, c) for r, c, _ in parsed.errors}
    assert found == {(2, "contact_email"), (3, "contact_phone"), (4, "sector"), (5, "influence"), (6, "type"),
                     (6, "last_reviewed"), (6, "website")}
    text = messages(parsed)
    assert "“not-an-email” is not a valid e-mail address" in text
    assert "Required: the name of one of the workgroup's sectors" in text
    assert "“7” is not a whole number from 1 to 5" in text
    assert [org.fields["name"] for org in parsed.organizations] == ["A", "B", "F"]  # orgs of clean org cells
    _assert_refused(workgroup, coordinator, data, before)


def test_duplicate_organizations_in_the_file_and_on_the_map_are_refused(workgroup, coordinator, counts):
    before = counts()
    data = csv_bytes(
        row(contact_name="One", contact_email="one@h.test"),
        row(contact_name="Two", contact_email="two@h.test", contact_primary="no"),
        row(organization="harbor crisis line", influence="1", contact_name="Three", contact_email="3@h.test",
            contact_primary="no"),
        row(organization="existing partner", contact_email="x@e.test"),
    )
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    assert [(r, c) for r, c, _ in parsed.errors] == [(4, "organization"), (5, "organization")]
    text = messages(parsed)
    assert "“harbor crisis line” differs from row 2 in organization, influence" in text
    assert "“existing partner” is already on the map" in text
    _assert_refused(workgroup, coordinator, data, before)


def test_a_contact_twice_or_two_primaries_in_one_organization_are_refused(workgroup, counts):
    data = csv_bytes(row(), row(contact_name="Dana again"), row(contact_name="Lee", contact_email="lee@h.test"))
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    assert (3, "contact_email") in {(r, c) for r, c, _ in parsed.errors}
    assert [(r, c) for r, c, _ in parsed.errors if c == "contact_primary"] == [(3, "contact_primary"),
                                                                               (4, "contact_primary")]
    assert "already names the primary contact" in messages(parsed)


def test_a_file_over_the_size_cap_is_refused(workgroup, coordinator, counts, settings):
    before = counts()
    big = csv_bytes(row()) + b"x" * directory_io.MAX_BYTES
    parsed = parse_directory_csv(workgroup=workgroup, data=big)
    assert parsed.file_rejected and parsed.errors == [(0, "", directory_io.MSG_TOO_BIG)]
    assert f"larger than {directory_io.MAX_MEGABYTES} MB" in directory_io.MSG_TOO_BIG
    _assert_refused(workgroup, coordinator, big, before)


def test_a_file_that_is_not_utf8_is_refused_with_advice(workgroup, coordinator, counts):
    before = counts()
    data = csv_bytes(row()) + "café".encode("latin-1")
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    assert parsed.file_rejected
    ((_, _, message),) = parsed.errors
    assert "not UTF-8" in message and "0xe9" in message and "CSV UTF-8" in message
    _assert_refused(workgroup, coordinator, data, before)


def test_an_empty_file_is_refused(workgroup):
    parsed = parse_directory_csv(workgroup=workgroup, data=b"\r\n")
    assert parsed.file_rejected and parsed.errors == [(0, "", directory_io.MSG_EMPTY)]


# --- Planning -------------------------------------------------------------------------------------------


def test_blank_scores_and_choices_take_the_usual_defaults(workgroup):
    sector_of(workgroup)
    blanks = {"influence": "", "engagement_status": ""}
    data = csv_bytes(row(**blanks, contact_primary="yes"),
                     row(**blanks, contact_name="Lee", contact_email="lee@h.test", contact_primary=""))
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    (org,) = parsed.organizations
    assert (org.fields["influence"], org.fields["engagement_status"]) == (3, "identified")
    assert [(c["name"], c["is_primary"]) for c in org.contacts] == [("Dana Ortiz", True), ("Lee", False)]


def test_empty_columns_a_spreadsheet_adds_after_the_last_one_are_ignored(workgroup):
    sector_of(workgroup)
    data = csv_bytes(row()).replace(b"\r\n", b",,\r\n")
    assert parse_directory_csv(workgroup=workgroup, data=data).errors == []
    repeated = csv_bytes(row(), columns=[*EXPORT_COLUMNS, "notes"])
    assert (1, "", "Columns given twice: notes.") in parse_directory_csv(workgroup=workgroup, data=repeated).errors


def test_a_sector_the_workgroup_lacks_is_planned_as_a_new_custom_sector(workgroup, coordinator):
    services.partner_map_create_defaults(workgroup=workgroup)
    data = csv_bytes(row(organization="Interfaith Council", sector="Faith communities", contact_email=""),
                     row(organization="Temple Beth", sector="faith COMMUNITIES", contact_email=""))

    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    import_now(workgroup, coordinator, data)

    assert parsed.errors == []
    assert parsed.new_sectors == ["Faith communities"]
    custom = Sector.objects.get(workgroup=workgroup, name="Faith communities")
    assert custom.tier == "custom"
    assert set(custom.organizations.values_list("name", flat=True)) == {"Interfaith Council", "Temple Beth"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda: csv_bytes(row(organization="A", notes="x\x00y")), csv_imports.MSG_NUL),
        (lambda: ";".join(EXPORT_COLUMNS).encode() + b"\n", directory_io.MSG_SEMICOLONS),
        (lambda: csv_bytes(), directory_io.MSG_NO_ROWS),
        (lambda: csv_bytes(row(organization="Two\nLines", contact_email="")), "Must fit on one line"),
    ],
    ids=["nul-byte", "semicolons", "header-only", "line-break-in-name"],
)
def test_unusable_files_and_cells_are_explained_and_nothing_is_written(workgroup, coordinator, counts, data, message):
    services.partner_map_create_defaults(workgroup=workgroup)
    before = counts()

    parsed = parse_directory_csv(workgroup=workgroup, data=data())

    assert any(message in text for _, _, text in parsed.errors), parsed.errors
    _assert_refused(workgroup, coordinator, data(), before)


def test_there_is_no_row_cap_any_more(workgroup):
    services.partner_map_create_defaults(workgroup=workgroup)
    rows = [row(organization=f"Org {n}", contact_email="", contact_primary="no") for n in range(1200)]

    parsed = parse_directory_csv(workgroup=workgroup, data=csv_bytes(*rows))

    assert parsed.errors == []
    assert (parsed.row_count, len(parsed.organizations)) == (1200, 1200)


def test_progress_is_reported_while_a_long_file_is_read(workgroup):
    services.partner_map_create_defaults(workgroup=workgroup)
    rows = [row(organization=f"Org {n}", contact_email="", contact_primary="no") for n in range(4500)]
    seen = []

    parse_directory_csv(workgroup=workgroup, data=csv_bytes(*rows), on_progress=lambda done, total: seen.append(
        (done, total)))

    assert seen == [(1999, 4500), (3999, 4500)]


def test_a_score_written_with_unicode_digits_is_a_row_error_not_a_crash(workgroup):
    services.partner_map_create_defaults(workgroup=workgroup)

    parsed = parse_directory_csv(workgroup=workgroup, data=csv_bytes(row(organization="A", influence="²",
                                                                        contact_email="")))

    assert any("whole number from 1 to 5" in message for _, _, message in parsed.errors)


# --- Text that documents cannot hold ---------------------------------------------------------------------


def test_word_line_breaks_become_spaces_in_names_and_new_lines_in_notes(workgroup):
    sector_of(workgroup)
    data = csv_bytes(row(organization="Harbor\x0bCrisis Line", notes="First\x0bsecond\u2028third",
                         contact_title="Director\x0cof care"))

    parsed = parse_directory_csv(workgroup=workgroup, data=data)

    assert parsed.errors == []
    (org,) = parsed.organizations
    assert org.fields["name"] == "Harbor Crisis Line"
    assert org.fields["notes"] == "First\nsecond\nthird"
    assert org.contacts[0]["title"] == "Director of care"


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f"])
def test_a_control_character_is_a_row_error_naming_row_and_column_and_nothing_is_imported(
    workgroup, coordinator, counts, character
):
    before = counts()
    data = csv_bytes(row(organization="Fine", contact_email="fine@h.test"),
                     row(organization=f"Bad{character}name", contact_email="b@h.test", contact_title=f"x{character}"))

    parsed = parse_directory_csv(workgroup=workgroup, data=data)

    assert [(r, c) for r, c, _ in parsed.errors] == [(3, "organization"), (3, "contact_title")]
    assert "cannot be kept in documents" in parsed.errors[0][2] and "position 4" in parsed.errors[0][2]
    assert "Bad" not in "".join(org.fields["name"] for org in parsed.organizations)
    _assert_refused(workgroup, coordinator, data, before)


def test_a_lone_surrogate_cannot_even_be_sent_as_utf8_and_is_refused_as_such(workgroup):
    data = csv_bytes(row()).replace(b"Dana", b"D\xed\xa0\x80na")  # "\ud800" written as UTF-8 would be

    parsed = parse_directory_csv(workgroup=workgroup, data=data)

    assert parsed.file_rejected and "not UTF-8" in parsed.errors[0][2]


def test_the_export_is_clean_text_even_for_rows_written_before_the_normaliser(workgroup):
    org = make_org(workgroup, "Harbor")
    make_contact(org, "Dana", title="Lead")
    # A lone surrogate cannot reach the database at all (neither SQLite nor PostgreSQL stores one).
    Organization.objects.filter(pk=org.pk).update(name="Har\x0bbor\x01", notes="a\x1bbc")
    Contact.objects.filter(organization=org).update(title="Le\x0bad")

    exported = export_directory_csv(workgroup=workgroup)

    assert not any(ch in exported for ch in "\x01\x0b\x1b")
    (first,) = csv.DictReader(io.StringIO(exported))
    assert (first["organization"], first["notes"], first["contact_title"]) == ("Har\nbor", "abc", "Le\nad")


def test_printable_text_is_exactly_what_the_normaliser_leaves_unchanged():
    """The parser skips normalise_text for printable cells (speed); prove that skip changes nothing."""
    from toolkit.text import normalise_text

    for codepoint in range(0x110000):
        char = chr(codepoint)
        if char.isprintable():
            assert normalise_text(f"a{char}b", multiline=False) == f"a{char}b", hex(codepoint)


def test_the_fast_phone_path_agrees_with_libphonenumber():
    import random

    from partners.validators import normalize_phone

    rng = random.Random(988)
    shapes = ["({a}) {e}-{l}", "{a}-{e}-{l}", "{a}.{e}.{l}", "{a}{e}{l}", "+1 {a} {e} {l}", "1-{a}-{e}-{l}",
              "+1{a}{e}{l}", "1 ({a}) {e}-{l}", "({a}){e}-{l}", "+1-{a}-{e}-{l}", "+44 20 7946 0{l3}",
              "{a} {e} {l} x12", "({a} {e}-{l}"]
    for _ in range(3000):
        parts = {"a": f"{rng.randint(100, 999)}", "e": f"{rng.randint(0, 999):03d}",
                 "l": f"{rng.randint(0, 9999):04d}", "l3": f"{rng.randint(0, 999):03d}"}
        value = rng.choice(shapes).format(**parts)
        expected = _outcome(normalize_phone, value)
        assert _outcome(directory_io.normalise_phone_fast, value) == expected, value


def _outcome(normalise, value):
    try:
        return normalise(value)
    except ValidationError:
        return "invalid"
