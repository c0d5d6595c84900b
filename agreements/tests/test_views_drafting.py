"""Drafting screens: list, create, detail, edit (with the concurrent-edit refusal), versions, compare, library."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, AgreementTemplate
from partners.tests.factories import ContactFactory, OrganizationFactory
from triage.services import protocol_create

pytestmark = pytest.mark.django_db


def url(name: str, *args, slug: str = "riverbend") -> str:
    return reverse(f"agreements:{name}", args=[slug, *args])


@pytest.fixture
def mou_template(workgroup):
    services.library_ensure_defaults(workgroup=workgroup)
    return AgreementTemplate.objects.get(workgroup=workgroup, kind="mou")


@pytest.fixture
def orgs(workgroup):
    line = OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line")
    psap = OrganizationFactory(workgroup=workgroup, name="County 911 & Dispatch")
    return line, psap


@pytest.fixture
def mou(workgroup, coordinator, mou_template, orgs):
    return services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=mou_template, title="County 988/911 MOU",
        parties=[{"organization": orgs[0], "signatory_name": "Maya Okonkwo", "signatory_title": "Director"},
                 {"organization": orgs[1]}],
        variables={"effective_date": "2027-05-01"},
    )


def create_data(template_pk, orgs, **overrides) -> dict:
    data = {"template": template_pk, "title": "Riverbend MOU", "protocol": "",
            "parties": [org.pk for org in orgs], "var_effective_date": "2027-07-01", "var_term_months": "24",
            "var_reporting_frequency": "monthly"}
    data.update(overrides)
    return data


def edit_data(agreement, **overrides) -> dict:
    version = agreement.versions.get(number=agreement.current_version_number)
    data = {"base_version_number": version.number, "title": version.title, "change_summary": ""}
    data.update({f"var_{name}": value for name, value in version.variables.items()})
    data.update({f"clause_{c['key']}": c["body"] for c in version.clauses})
    data.update(overrides)
    return data


# --- Create -----------------------------------------------------------------------------------


def test_create_without_a_template_offers_the_workgroups_templates(client, coordinator, mou_template):
    client.force_login(coordinator)
    response = client.get(url("agreement-create"))
    assert response.status_code == 200
    assert mou_template.name in response.text and f"?template={mou_template.pk}" in response.text


def test_a_coordinator_creates_an_agreement_with_two_parties_signatories_and_values(
    client, coordinator, mou_template, orgs
):
    director = ContactFactory(organization=orgs[0], name="Maya Okonkwo", title="Executive Director")
    client.force_login(coordinator)
    page = client.get(url("agreement-create") + f"?template={mou_template.pk}")
    assert "Maya Okonkwo" in page.text and "Effective date" in page.text

    choices = {f"signatory_{orgs[0].pk}": director.pk, f"substance_{orgs[1].pk}": "on"}
    data = create_data(mou_template.pk, orgs, **choices)
    response = client.post(url("agreement-create") + f"?template={mou_template.pk}", data)

    agreement = Agreement.objects.get(title="Riverbend MOU")
    assert response.status_code == 302 and response["Location"] == url("agreement-detail", agreement.pk)
    parties = list(agreement.parties.all())
    assert [p.name for p in parties] == ["County 911 & Dispatch", "Riverbend Crisis Line"]  # by name
    assert (parties[1].signatory_name, parties[1].signatory_title) == ("Maya Okonkwo", "Executive Director")
    assert parties[0].is_substance_use_provider and not parties[1].is_substance_use_provider
    version = agreement.versions.get()
    assert version.variables["effective_date"] == "2027-07-01" and version.variables["term_months"] == "24"
    assert version.variables["reporting_frequency"] == "monthly"


def test_create_errors_keep_everything_typed(client, coordinator, mou_template, orgs):
    client.force_login(coordinator)
    data = create_data(mou_template.pk, orgs[:1], title="My careful title", var_term_months="three years",
                       var_effective_date="2027-07-01")

    response = client.post(url("agreement-create") + f"?template={mou_template.pk}", data)

    assert response.status_code == 400
    assert not Agreement.objects.exists()
    assert "An agreement needs at least two parties." in response.text
    assert "is not a number" in response.text
    assert 'value="My careful title"' in response.text and 'value="three years"' in response.text
    assert 'value="2027-07-01"' in response.text
    assert f'value="{orgs[0].pk}" id="party_{orgs[0].pk}" checked' in response.text


@pytest.mark.parametrize("field", ["template", "parties", "protocol"])
def test_another_workgroups_template_organization_or_protocol_is_an_invalid_choice(
    client, coordinator, outsider, other_workgroup, mou_template, orgs, field
):
    services.library_ensure_defaults(workgroup=other_workgroup)
    foreign = {
        "template": lambda: AgreementTemplate.objects.filter(workgroup=other_workgroup).first().pk,
        "parties": lambda: [orgs[0].pk, OrganizationFactory(workgroup=other_workgroup).pk],
        "protocol": lambda: protocol_create(actor=outsider, workgroup=other_workgroup, name="Their protocol").pk,
    }[field]()
    client.force_login(coordinator)

    response = client.post(url("agreement-create") + f"?template={mou_template.pk}",
                           create_data(mou_template.pk, orgs, **{field: foreign}))

    assert response.status_code == 400 and "Select a valid choice" in response.text
    assert not Agreement.objects.exists()


def test_a_template_of_another_workgroup_in_the_address_is_not_offered(client, coordinator, other_workgroup):
    services.library_ensure_defaults(workgroup=other_workgroup)
    foreign = AgreementTemplate.objects.filter(workgroup=other_workgroup).first()
    client.force_login(coordinator)
    response = client.get(url("agreement-create") + f"?template={foreign.pk}")
    assert response.status_code == 200 and "choose a template" in response.text
    assert f"?template={foreign.pk}" not in response.text


# --- Detail ------------------------------------------------------------------------------------


def test_the_detail_shows_parties_signatories_clause_titles_and_values(client, member, mou):
    client.force_login(member)
    response = client.get(url("agreement-detail", mou.pk))
    assert response.status_code == 200
    text = response.text
    assert "County 988/911 MOU" in text and "Riverbend Crisis Line" in text and "County 911 &amp; Dispatch" in text
    assert "Maya Okonkwo" in text and "Purpose and Scope" in text and "May 1, 2027" in text
    assert "Drafting guidance" not in text  # the drafter's notes are for coordinators
    assert url("agreement-edit", mou.pk) not in text


def test_the_coordinator_sees_guidance_the_edit_link_and_open_comment_badges(client, coordinator, member, mou):
    version = mou.versions.get()
    services.comment_add(actor=member, version=version, clause_key=version.clauses[0]["key"], body="Check this")
    client.force_login(coordinator)
    text = client.get(url("agreement-detail", mou.pk)).text
    assert "Drafting guidance" in text and url("agreement-edit", mou.pk) in text
    assert f'{url("version-detail", mou.pk, 1)}review/?clause={version.clauses[0]["key"]}#selected-clause' in text
    assert "1 open comment" in text


# --- Edit ---------------------------------------------------------------------------------------


def test_editing_saves_version_2(client, coordinator, mou):
    key = mou.versions.get().clauses[0]["key"]
    client.force_login(coordinator)
    assert 'name="base_version_number" value="1"' in client.get(url("agreement-edit", mou.pk)).text

    response = client.post(url("agreement-edit", mou.pk), edit_data(
        mou, change_summary="Counsel's round", var_term_months="48", **{f"clause_{key}": "<p>New [[parties]].</p>"}))

    assert response.status_code == 302
    version = mou.versions.get(number=2)
    assert version.change_summary == "Counsel's round" and version.variables["term_months"] == "48"
    assert version.clauses[0]["body"] == "<p>New [[parties]].</p>"


def test_a_save_from_an_old_version_is_refused_with_409_and_the_typed_text_kept(client, coordinator, mou):
    key = mou.versions.get().clauses[0]["key"]
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="Saved by A",
                            variables={}, clause_bodies={key: "<p>Text of A.</p>"})
    client.force_login(coordinator)

    stale = edit_data(mou, base_version_number=1, title="Title by B", **{f"clause_{key}": "<p>Text by B.</p>"})
    response = client.post(url("agreement-edit", mou.pk), stale)

    assert response.status_code == 409
    assert mou.versions.count() == 2
    assert "Someone else saved this agreement (version 2) while you were editing version 1" in response.text
    assert 'value="Title by B"' in response.text and "&lt;p&gt;Text by B.&lt;/p&gt;" in response.text
    assert "&lt;p&gt;Text of A.&lt;/p&gt;" in response.text  # the latest saved text, for comparison
    assert response.text.count('data-testid="latest-clause-details"') == 1  # only where it differs from B's
    assert "Changed by the other save" in response.text
    assert 'name="base_version_number" value="2"' in response.text  # saving again now is deliberate

    again = client.post(url("agreement-edit", mou.pk), {**stale, "base_version_number": 2})
    assert again.status_code == 302 and mou.versions.get(number=3).title == "Title by B"


def test_placeholder_errors_are_shown_with_their_position_and_the_text_kept(client, coordinator, mou):
    key = mou.versions.get().clauses[0]["key"]
    client.force_login(coordinator)
    response = client.post(url("agreement-edit", mou.pk), edit_data(mou, **{f"clause_{key}": "<p>[[secret_key]]</p>"}))
    assert response.status_code == 400
    assert "Line 1, column 4" in response.text and "[[secret_key]]" in response.text
    assert mou.versions.count() == 1


def test_an_agreement_in_review_cannot_be_edited(client, coordinator, mou):
    services.agreement_submit(actor=coordinator, agreement=mou)
    client.force_login(coordinator)
    response = client.get(url("agreement-edit", mou.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("agreement-detail", mou.pk)
    assert "cannot be edited" in response.text


@pytest.mark.parametrize("role", ["member", "viewer", "legal_reviewer"])
def test_only_coordinators_open_create_and_edit(client, request, mou, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url("agreement-create")).status_code == 403
    assert client.get(url("agreement-edit", mou.pk)).status_code == 403
    assert client.post(url("agreement-edit", mou.pk), edit_data(mou)).status_code == 403


# --- Versions and compare ----------------------------------------------------------------------------


def test_compare_shows_a_redline_of_a_known_edit(client, coordinator, viewer, mou):
    key = mou.versions.get().clauses[0]["key"]
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title=mou.title,
                            variables={}, clause_bodies={key: "<p>The quick brown fox.</p>"})
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=2, title=mou.title,
                            variables={}, clause_bodies={key: "<p>The slow brown fox.</p>"})
    client.force_login(viewer)

    response = client.get(url("compare", mou.pk))  # default: previous against current

    assert response.status_code == 200
    assert "<del>quick</del>" in response.text and "<ins>slow</ins>" in response.text
    assert 'data-status="changed"' in response.text and "1 clause changed" in response.text
    versions = client.get(url("version-list", mou.pk)).text
    assert f'{url("compare", mou.pk)}?a=2&amp;b=3' in versions


@pytest.mark.parametrize("query", ["?a=9&b=1", "?a=x&b=1", "?a=-1", "?b=0"])
def test_compare_with_bad_numbers_answers_kindly(client, coordinator, mou, query):
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="Two", variables={},
                            clause_bodies={})
    client.force_login(coordinator)
    response = client.get(url("compare", mou.pk) + query)
    assert response.status_code == 400 and "choose two of them" in response.text


def test_a_past_version_shows_its_own_text_and_comments(client, coordinator, legal_reviewer, mou):
    key = mou.versions.get().clauses[0]["key"]
    services.comment_add(actor=legal_reviewer, version=mou.versions.get(), clause_key=key, body="Narrow the scope")
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="Renamed",
                            variables={}, clause_bodies={key: "<p>Narrower.</p>"})
    client.force_login(legal_reviewer)
    text = client.get(url("version-detail", mou.pk, 1)).text
    assert "County 988/911 MOU" in text and "Narrower." not in text
    assert "1 open comment" in text  # the comment itself is on the review page
    review = client.get(url("version-review", mou.pk, 1) + f"?clause={key}").text
    assert "Narrow the scope" in review and "Narrower." not in review
    assert client.get(url("version-detail", mou.pk, 7)).status_code == 404


def test_the_library_lists_clauses_and_templates_read_only(client, viewer, mou_template):
    client.force_login(viewer)
    text = client.get(url("library")).text
    assert "Memorandum of Understanding" in text and "Purpose and Scope" in text and "[[effective_date]]" in text
    assert "later step" in text


# --- Index, outsiders, queries ---------------------------------------------------------------------


def test_the_index_filters_by_party_and_status(client, coordinator, workgroup, mou_template, mou, orgs):
    other = OrganizationFactory(workgroup=workgroup, name="Mobile Crisis Team")
    services.agreement_create(actor=coordinator, workgroup=workgroup, template=mou_template, title="Mobile MOU",
                              parties=[{"organization": orgs[0]}, {"organization": other}])
    services.agreement_submit(actor=coordinator, agreement=mou)
    client.force_login(coordinator)
    assert "Mobile MOU" in client.get(url("index")).text and "New agreement" in client.get(url("index")).text
    by_party = client.get(url("index"), {"party": "mobile"}).text
    assert "Mobile MOU" in by_party and "County 988/911 MOU" not in by_party
    by_status = client.get(url("index"), {"status": "in_review"}).text
    assert "County 988/911 MOU" in by_status and "Mobile MOU" not in by_status


def test_an_empty_index_explains_agreements_and_links_the_guidance(client, viewer):
    client.force_login(viewer)
    text = client.get(url("index")).text
    assert "No agreement yet" in text and reverse("toolkit:guidance-topic", args=["contractual-considerations"]) in text
    assert "New agreement" not in text


def test_an_outsider_gets_404_everywhere_and_never_sees_the_title(client, outsider, mou):
    client.force_login(outsider)
    pages = [url("index"), url("agreement-create"), url("agreement-detail", mou.pk), url("agreement-edit", mou.pk),
             url("version-list", mou.pk), url("version-detail", mou.pk, 1), url("compare", mou.pk), url("library")]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 404, page
        assert "County 988/911 MOU" not in response.text
    for page in [url("agreement-detail", mou.pk, slug="elsewhere"), url("compare", mou.pk, slug="elsewhere")]:
        response = client.get(page)  # the outsider's own workgroup does not hold it either
        assert response.status_code == 404 and "County 988/911 MOU" not in response.text


def test_the_index_query_count_does_not_grow_with_the_number_of_agreements(
    client, coordinator, workgroup, mou_template
):
    client.force_login(coordinator)
    orgs = [OrganizationFactory(workgroup=workgroup) for _ in range(3)]

    def add(n: int) -> None:
        for i in range(n):
            services.agreement_create(actor=coordinator, workgroup=workgroup, template=mou_template,
                                      title=f"Agreement {Agreement.objects.count()} {i}",
                                      parties=[{"organization": org} for org in orgs])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("index")).status_code == 200
        return len(queries)

    add(3)
    few = count()
    add(12)
    assert count() == few


@pytest.mark.parametrize("query", ["?a=%C2%B2", "?b=%E2%91%A0"])
def test_unicode_digits_in_the_compare_querystring_get_a_message_not_a_500(client, workgroup, coordinator, query):
    from agreements import services as agreement_services
    from agreements.models import AgreementTemplate
    from partners.tests.factories import OrganizationFactory

    agreement_services.library_ensure_defaults(workgroup=workgroup)
    agreement = agreement_services.agreement_create(
        actor=coordinator, workgroup=workgroup, title="Odd input",
        template=AgreementTemplate.objects.get(workgroup=workgroup, kind="mou"),
        parties=[{"organization": OrganizationFactory(workgroup=workgroup)},
                 {"organization": OrganizationFactory(workgroup=workgroup)}],
    )
    client.force_login(coordinator)

    assert client.get(f"/w/{workgroup.slug}/agreements/{agreement.pk}/compare/{query}").status_code in (200, 400)
    assert client.get(f"/w/{workgroup.slug}/agreements/new/?template=%C2%B2").status_code == 200
