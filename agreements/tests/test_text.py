"""Text that documents cannot hold: refused or cleaned on the way in, scrubbed on the way out.

Word puts a vertical tab (U+000B) where someone pressed Shift+Enter; other programs leave escape codes
or a lone surrogate behind. Before the normaliser existed, one of them in a title, a clause or a party's
name made the DOCX export answer 500. Rows written before then are still in databases, so the exports are
tested with the characters written straight into the tables. A lone surrogate cannot be stored in a text
column by either database (nor in PostgreSQL's jsonb), so it is also handed to the exports in memory.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from django.db import DataError, transaction
from pypdf import PdfReader

from agreements import services
from agreements.exports import agreement_docx, agreement_pdf
from agreements.models import Agreement, AgreementParty, AgreementTemplate, AgreementVersion, ReviewComment
from agreements.rendering import RenderedAgreement, RenderedClause, RenderedParty
from agreements.selectors import render_version
from agreements.views import review
from partners.models import Organization
from partners.tests.factories import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

BASE = "/w/riverbend/agreements"
HOSTILE = ["\x0b", "\x01", "\x1b", "\ud800"]  # Word's line break, two controls XML forbids, half an emoji
REFUSED = ["\x01", "\x1b"]


@pytest.fixture
def mou(workgroup, coordinator) -> Agreement:
    services.library_ensure_defaults(workgroup=workgroup)
    line = OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line")
    psap = OrganizationFactory(workgroup=workgroup, name="County 911")
    return services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=AgreementTemplate.objects.get(workgroup=workgroup, kind="mou"),
        title="County MOU", parties=[{"organization": line, "signatory_name": "Maya Okonkwo"},
                                     {"organization": psap}],
        variables={"effective_date": "2027-05-01"},
    )


def _store(model, pk: int, **fields) -> bool:
    """Write straight into the table, past every normaliser; False when the database cannot hold the text."""
    try:
        with transaction.atomic():
            model.objects.filter(pk=pk).update(**fields)
    except (DataError, UnicodeEncodeError, ValueError):
        return False
    return True


def _hostile_version(version: AgreementVersion, char: str) -> dict:
    clauses = [{**clause, "title": f"{clause['title']}{char}Part", "body": clause["body"].replace(
        "</p>", f" odd{char}text</p>", 1)} for clause in version.clauses]
    parties = [{**party, "name": f"{party['name']}{char}Inc", "signatory_name": f"Maya{char}Okonkwo"}
               for party in version.parties]
    return {"title": f"County{char}MOU", "clauses": clauses, "parties": parties,
            "variables": {**version.variables, "reporting_frequency": f"monthly{char}"}}


def _write_hostile_rows(agreement: Agreement, char: str) -> bool:
    version = agreement.versions.order_by("number").first()
    hostile = _hostile_version(version, char)
    results = [
        _store(Agreement, agreement.pk, title=hostile["title"]),
        _store(AgreementVersion, version.pk, title=hostile["title"]),
        _store(AgreementVersion, version.pk, clauses=hostile["clauses"]),
        _store(AgreementVersion, version.pk, parties=hostile["parties"]),
        _store(AgreementVersion, version.pk, variables=hostile["variables"]),
    ]
    for party in agreement.parties.all():
        results.append(_store(AgreementParty, party.pk, name=f"{party.name}{char}Inc"))
    return all(results)


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


# --- Out: the exports and pages survive old rows ------------------------------------------------------


@pytest.mark.parametrize("char", HOSTILE, ids=["vertical-tab", "soh", "escape", "lone-surrogate"])
def test_the_docx_and_pdf_exports_open_whatever_old_rows_hold(client, mou, legal_reviewer, monkeypatch, char):
    stored = _write_hostile_rows(mou, char)
    assert stored == (char != "\ud800")  # no database keeps a lone surrogate in a text column
    if char == "\ud800":  # so it reaches the renderers in memory, as the data they are handed
        real_version_for = review.version_for

        def version_with_surrogates(agreement, version_number):
            version = real_version_for(agreement, version_number)
            for name, value in _hostile_version(version, char).items():
                setattr(version, name, value)
            return version

        monkeypatch.setattr(review, "version_for", version_with_surrogates)
    client.force_login(legal_reviewer)

    word = client.get(f"{BASE}/{mou.pk}/versions/1/export.docx")
    pdf = client.get(f"{BASE}/{mou.pk}/versions/1/export.pdf")

    assert word.status_code == 200 and pdf.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(word.content)).testzip() is None
    text = _docx_text(word.content)  # python-docx opens it again: every part is well-formed XML
    assert "Riverbend Crisis Line" in text and "Inc" in text and "Purpose and Scope" in text
    assert char not in text and "County" in text and "MOU" in text
    pdf_text = _pdf_text(pdf.content)
    assert "Riverbend Crisis Line" in pdf_text and "Purpose and Scope" in pdf_text and "MOU" in pdf_text
    assert char not in pdf_text


@pytest.mark.parametrize("char", HOSTILE[:3], ids=["vertical-tab", "soh", "escape"])
def test_the_agreement_pages_show_old_rows_with_odd_characters(client, mou, coordinator, char):
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="County MOU",
                            variables={}, clause_bodies={})
    assert _write_hostile_rows(mou, char)
    client.force_login(coordinator)

    for page in ("", "versions/", "versions/1/", "compare/?a=1&b=2"):
        response = client.get(f"{BASE}/{mou.pk}/{page}")
        assert response.status_code == 200, page
        assert f"odd{char}text" not in response.content.decode(), page  # the clause text is scrubbed


@pytest.mark.parametrize("char", HOSTILE)
def test_the_export_functions_scrub_what_they_are_handed(char):
    agreement = RenderedAgreement(
        title=f"MOU{char}2027", kind_label="Memorandum of understanding", workgroup_name=f"Riverbend{char}",
        version_number=1, status_label="Draft", is_executed=False,
        parties=(RenderedParty(f"Line{char}988", f"Dana{char}", f"Director{char}"), RenderedParty("PSAP")),
        clauses=(RenderedClause("purpose", 1, f"Purpose{char}", f"<p>One{char}two &#1; three</p><ol><li>a{char}</li>"
                                                                f"</ol>"),),
        variables={f"Term{char}": f"36{char}"},
    )

    text = _docx_text(agreement_docx(agreement))
    pdf_text = _pdf_text(agreement_pdf(agreement))

    assert "Line" in text and "988" in text and "three" in text and char not in text and "\x01" not in text
    assert "Line" in pdf_text and "three" in pdf_text and char not in pdf_text


def test_rendering_scrubs_a_character_reference_to_a_control_character(mou, coordinator):
    version = services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="County MOU",
                                      variables={}, clause_bodies={"purpose-scope": "<p>Bell &#7; and tab &#11;.</p>"})

    html = render_version(version).clauses[0].html

    assert "\x07" not in html and "\x0b" not in html and "Bell" in html
    assert "\x07" not in version.clauses[0]["body"]  # nor is it stored


# --- In: forms and services normalise or refuse --------------------------------------------------------


def _create_data(template, orgs, **overrides) -> dict:
    data = {"template": template.pk, "title": "Riverbend MOU", "protocol": "", "parties": [o.pk for o in orgs],
            "var_effective_date": "2027-07-01", "var_term_months": "24", "var_reporting_frequency": "monthly"}
    data.update(overrides)
    return data


def test_words_line_break_in_a_title_becomes_a_space(client, workgroup, coordinator, mou):
    template = mou.template
    orgs = list(Organization.objects.filter(workgroup=workgroup))
    client.force_login(coordinator)

    response = client.post(f"{BASE}/new/?template={template.pk}",
                           _create_data(template, orgs, title="Riverbend\x0bCounty MOU"))

    assert response.status_code == 302
    assert Agreement.objects.filter(title="Riverbend County MOU").exists()


@pytest.mark.parametrize("char", REFUSED)
def test_a_control_character_in_a_title_is_refused_with_the_text_kept(client, workgroup, coordinator, mou, char):
    template = mou.template
    orgs = list(Organization.objects.filter(workgroup=workgroup))
    client.force_login(coordinator)

    response = client.post(f"{BASE}/new/?template={template.pk}",
                           _create_data(template, orgs, title=f"Riverbend{char}MOU"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be kept in documents" in page and f"U+{ord(char):04X}" in page
    assert f'value="Riverbend{char}MOU"' in page
    assert Agreement.objects.count() == 1


def _edit_data(agreement, **overrides) -> dict:
    version = agreement.versions.get(number=agreement.current_version_number)
    data = {"base_version_number": version.number, "title": version.title, "change_summary": ""}
    data.update({f"var_{name}": value for name, value in version.variables.items()})
    data.update({f"clause_{c['key']}": c["body"] for c in version.clauses})
    data.update(overrides)
    return data


def test_pasted_clause_text_keeps_its_line_breaks_and_passes_the_sanitiser(client, coordinator, mou):
    client.force_login(coordinator)

    response = client.post(f"{BASE}/{mou.pk}/edit/", _edit_data(
        mou, title="County\x0bMOU", change_summary="From\x0bWord",
        **{"clause_purpose-scope": "<p>First line\x0bsecond line<script>x</script></p>"}))

    assert response.status_code == 302
    version = mou.versions.get(number=2)
    assert version.clauses[0]["body"] == "<p>First line\nsecond line</p>"
    assert (version.title, version.change_summary) == ("County MOU", "From Word")


@pytest.mark.parametrize("char", REFUSED)
@pytest.mark.parametrize("field", ["clause_purpose-scope", "title", "change_summary", "var_effective_date"])
def test_a_control_character_in_the_edit_form_is_refused_with_the_text_kept(client, coordinator, mou, char, field):
    client.force_login(coordinator)
    typed = f"<p>Typed{char}here</p>" if field.startswith("clause_") else f"Typed{char}here"

    response = client.post(f"{BASE}/{mou.pk}/edit/", _edit_data(mou, **{field: typed}))

    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be kept in documents" in page
    assert "Typed" in page and char in page  # what was typed is still there to correct
    assert mou.versions.count() == 1


@pytest.mark.parametrize("char", REFUSED)
def test_a_control_character_in_a_comment_is_refused_with_the_text_kept(client, mou, member, char):
    client.force_login(member)

    response = client.post(f"{BASE}/{mou.pk}/versions/1/comments/new/",
                           {"clause_key": "call-transfer", "body": f"Name the line{char} please"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be kept in documents" in page
    assert f"Name the line{char} please</textarea>" in page
    assert not ReviewComment.objects.exists()


def test_words_line_break_in_a_comment_becomes_a_new_line(client, mou, member):
    client.force_login(member)

    client.post(f"{BASE}/{mou.pk}/versions/1/comments/new/", {"clause_key": "call-transfer", "body": "One\x0bTwo"})

    assert ReviewComment.objects.get().body == "One\nTwo"


def test_services_refuse_or_normalise_without_a_form(mou, coordinator):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="cannot be kept in documents"):
        services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="A\x1bB",
                                variables={}, clause_bodies={})
    with pytest.raises(ValidationError, match="Purpose and Scope: .*cannot be kept in documents"):
        services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="A",
                                variables={}, clause_bodies={"purpose-scope": "<p>\x01</p>"})
    with pytest.raises(ValidationError, match="cannot be kept in documents"):
        services.comment_add(actor=coordinator, version=mou.versions.get(), clause_key="definitions", body="\x1b[31m")
    version = services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="A\x0bB",
                                      variables={}, clause_bodies={"definitions": "<p>x\x0by</p>"})
    definitions = next(c for c in version.clauses if c["key"] == "definitions")
    assert version.title == "A B" and definitions["body"] == "<p>x\ny</p>"
    assert mou.versions.count() == 2


@pytest.mark.parametrize("char", REFUSED)
def test_an_organization_name_from_before_the_normaliser_is_refused_with_where_to_fix_it(
    workgroup, coordinator, mou, char
):
    odd = OrganizationFactory(workgroup=workgroup, name="Mobile Crisis")
    Organization.objects.filter(pk=odd.pk).update(name=f"Mobile{char}Crisis")
    odd.refresh_from_db()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.agreement_create(actor=coordinator, workgroup=workgroup, template=mou.template, title="Mobile MOU",
                                  parties=[{"organization": odd}, {"organization": mou.parties.first().organization}])

    message = " ".join(refused.value.messages)
    assert "The name of “MobileCrisis” cannot go into an agreement" in message
    assert "Correct it on the partner map" in message
    assert Agreement.objects.count() == 1


def test_a_vertical_tab_in_an_organization_or_contact_name_becomes_a_space(workgroup, coordinator, mou):
    odd = OrganizationFactory(workgroup=workgroup, name="Mobile Crisis")
    Organization.objects.filter(pk=odd.pk).update(name="Mobile\x0bCrisis")
    odd.refresh_from_db()
    contact = ContactFactory(organization=odd, name="Dana Whitfield")

    agreement = services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=mou.template, title="Mobile MOU",
        parties=[{"organization": odd, "signatory_name": "Dana\x0bWhitfield", "signatory_title": contact.title},
                 {"organization": mou.parties.first().organization}])

    party = agreement.parties.get(organization=odd)
    assert (party.name, party.signatory_name) == ("Mobile Crisis", "Dana Whitfield")
    assert agreement.versions.get().parties[0]["name"] == "Mobile Crisis"
