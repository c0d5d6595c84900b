"""CSV export, parsing and import of the contact directory (partners.directory_io)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partners import directory_io, services
from partners.directory_io import EXPORT_COLUMNS, escape_cell, export_directory_csv, parse_directory_csv, unescape_cell
from partners.models import Contact, Organization, Sector

pytestmark = pytest.mark.django_db


# --- Small factories (kept here: other work owns partners/tests/factories.py) -------------------------


def sector_of(workgroup, key: str = "988-center") -> Sector:
    services.partner_map_ensure_defaults(workgroup=workgroup)
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


# --- Formula escaping ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1 202-555-0143", "-x", "@cmd", "\tx", "'=x", "''+y", "'plain", "ok"])
def test_escaping_cells_round_trips_exactly(value):
    escaped = escape_cell(value)
    assert unescape_cell(escaped) == value
    assert escaped[:1] not in directory_io.FORMULA_TRIGGERS


# --- Round trip ------------------------------------------------------------------------------------------


def test_export_then_import_into_an_empty_workgroup_gives_the_same_csv(workgroup, other_workgroup, outsider):
    services.partner_map_ensure_defaults(workgroup=workgroup)
    services.partner_map_ensure_defaults(workgroup=other_workgroup)
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
    assert directory_io.import_directory(actor=outsider, workgroup=other_workgroup, parsed=parsed) == (3, 3)

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


def _assert_refused(workgroup, coordinator, parsed, before):
    with pytest.raises(ValidationError):
        directory_io.import_directory(actor=coordinator, workgroup=workgroup, parsed=parsed)
    assert (Organization.objects.count(), Contact.objects.count()) == before


def test_wrong_columns_are_listed_by_name(workgroup, coordinator, counts):
    before = counts()
    columns = [c for c in EXPORT_COLUMNS if c != "sector"] + ["fax"]
    parsed = parse_directory_csv(workgroup=workgroup, data=csv_bytes(row(fax="1"), columns=columns))
    assert parsed.file_rejected
    assert (1, "", "Missing columns: sector.") in parsed.errors
    assert (1, "", "Unknown columns: fax.") in parsed.errors
    _assert_refused(workgroup, coordinator, parsed, before)


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
    _assert_refused(workgroup, coordinator, parsed, before)


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
    _assert_refused(workgroup, coordinator, parsed, before)


def test_a_contact_twice_or_two_primaries_in_one_organization_are_refused(workgroup, counts):
    data = csv_bytes(row(), row(contact_name="Dana again"), row(contact_name="Lee", contact_email="lee@h.test"))
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    assert (3, "contact_email") in {(r, c) for r, c, _ in parsed.errors}
    assert [(r, c) for r, c, _ in parsed.errors if c == "contact_primary"] == [(3, "contact_primary"),
                                                                               (4, "contact_primary")]
    assert "already names the primary contact" in messages(parsed)


def test_a_file_over_2_mb_is_refused(workgroup, coordinator, counts):
    before = counts()
    big = csv_bytes(row()) + b"x" * (10 * 1024 * 1024)
    parsed = parse_directory_csv(workgroup=workgroup, data=big)
    assert parsed.file_rejected and parsed.errors == [(0, "", directory_io.MSG_TOO_BIG)]
    _assert_refused(workgroup, coordinator, parsed, before)


def test_a_file_that_is_not_utf8_is_refused_with_advice(workgroup, coordinator, counts):
    before = counts()
    parsed = parse_directory_csv(workgroup=workgroup, data=csv_bytes(row()) + "café".encode("latin-1"))
    assert parsed.file_rejected
    ((_, _, message),) = parsed.errors
    assert "not UTF-8" in message and "0xe9" in message and "CSV UTF-8" in message
    _assert_refused(workgroup, coordinator, parsed, before)


def test_an_empty_file_is_refused(workgroup):
    parsed = parse_directory_csv(workgroup=workgroup, data=b"\r\n")
    assert parsed.file_rejected and parsed.errors == [(0, "", directory_io.MSG_EMPTY)]


# --- The import service ----------------------------------------------------------------------------------


def test_import_rechecks_names_taken_since_the_preview(workgroup, coordinator, counts):
    data = csv_bytes(row(), row(organization="Other", contact_email=""))
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    assert parsed.errors == []
    make_org(workgroup, "HARBOR crisis line")
    before = counts()
    with pytest.raises(ValidationError, match="already on the map"):
        directory_io.import_directory(actor=coordinator, workgroup=workgroup, parsed=parsed)
    assert counts() == before


def test_import_needs_permission_to_edit_partners(workgroup, viewer):
    parsed = parse_directory_csv(workgroup=workgroup, data=csv_bytes(row(sector=sector_of(workgroup).name)))
    with pytest.raises(PermissionDenied):
        directory_io.import_directory(actor=viewer, workgroup=workgroup, parsed=parsed)
    assert not Organization.objects.exists()


def test_import_sets_the_primary_contact_and_defaults(workgroup, member):
    sector_of(workgroup)
    blanks = {"influence": "", "engagement_status": ""}
    data = csv_bytes(row(**blanks, contact_primary="yes"),
                     row(**blanks, contact_name="Lee", contact_email="lee@h.test", contact_primary=""))
    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    assert directory_io.import_directory(actor=member, workgroup=workgroup, parsed=parsed) == (1, 2)
    org = Organization.objects.get(workgroup=workgroup)
    assert (org.influence, org.engagement_status) == (3, "identified")
    assert list(org.contacts.values_list("name", "is_primary")) == [("Dana Ortiz", True), ("Lee", False)]


def test_empty_columns_a_spreadsheet_adds_after_the_last_one_are_ignored(workgroup):
    sector_of(workgroup)
    data = csv_bytes(row()).replace(b"\r\n", b",,\r\n")
    assert parse_directory_csv(workgroup=workgroup, data=data).errors == []
    repeated = csv_bytes(row(), columns=[*EXPORT_COLUMNS, "notes"])
    assert (1, "", "Columns given twice: notes.") in parse_directory_csv(workgroup=workgroup, data=repeated).errors


def test_a_sector_the_workgroup_lacks_is_planned_as_a_new_custom_sector(workgroup, coordinator):
    services.partner_map_ensure_defaults(workgroup=workgroup)
    data = csv_bytes(row(organization="Interfaith Council", sector="Faith communities", contact_email=""),
                     row(organization="Temple Beth", sector="faith COMMUNITIES", contact_email=""))

    parsed = parse_directory_csv(workgroup=workgroup, data=data)
    directory_io.import_directory(actor=coordinator, workgroup=workgroup, parsed=parsed)

    assert parsed.errors == []
    assert parsed.new_sectors == ["Faith communities"]
    custom = Sector.objects.get(workgroup=workgroup, name="Faith communities")
    assert custom.tier == "custom"
    assert set(custom.organizations.values_list("name", flat=True)) == {"Interfaith Council", "Temple Beth"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda: csv_bytes(row(organization="A", notes="x\x00y")), directory_io.MSG_NUL),
        (lambda: ";".join(EXPORT_COLUMNS).encode() + b"\n", directory_io.MSG_SEMICOLONS),
        (lambda: csv_bytes(), directory_io.MSG_NO_ROWS),
        (lambda: csv_bytes(row(organization="Two\nLines", contact_email="")), "Must fit on one line"),
    ],
    ids=["nul-byte", "semicolons", "header-only", "line-break-in-name"],
)
def test_unusable_files_and_cells_are_explained_and_nothing_is_written(workgroup, coordinator, counts, data, message):
    services.partner_map_ensure_defaults(workgroup=workgroup)
    before = counts()

    parsed = parse_directory_csv(workgroup=workgroup, data=data())

    assert any(message in text for _, _, text in parsed.errors), parsed.errors
    _assert_refused(workgroup, coordinator, parsed, before)


def test_more_rows_than_one_import_takes_are_refused(workgroup, coordinator, counts):
    services.partner_map_ensure_defaults(workgroup=workgroup)
    rows = [row(organization=f"Org {n}", contact_email="") for n in range(directory_io.MAX_ROWS + 1)]

    parsed = parse_directory_csv(workgroup=workgroup, data=csv_bytes(*rows))

    assert parsed.errors[0][2].startswith(f"The file has {directory_io.MAX_ROWS + 1} rows")
    _assert_refused(workgroup, coordinator, parsed, counts())


def test_a_score_written_with_unicode_digits_is_a_row_error_not_a_crash(workgroup):
    services.partner_map_ensure_defaults(workgroup=workgroup)

    parsed = parse_directory_csv(workgroup=workgroup, data=csv_bytes(row(organization="A", influence="²",
                                                                        contact_email="")))

    assert any("whole number from 1 to 5" in message for _, _, message in parsed.errors)
