"""Drafting, versions, concurrency, review and execution — through the services, on the database."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agreements import services
from agreements.models import AgreementStatus, AgreementTemplate, AgreementVersion, Clause
from agreements.selectors import agreements_needing_review, dashboard_card, render_version
from agreements.tests.test_views_review import approve_for_every_party
from partners.tests.factories import OrganizationFactory
from toolkit.models import Membership


@pytest.fixture
def mou(workgroup, coordinator):
    services.library_ensure_defaults(workgroup=workgroup)
    template = AgreementTemplate.objects.get(workgroup=workgroup, kind="mou")
    line = OrganizationFactory(workgroup=workgroup, name="Riverbend Crisis Line")
    psap = OrganizationFactory(workgroup=workgroup, name="County 911 & Dispatch")
    return services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=template, title="County 988/911 MOU",
        parties=[{"organization": line, "signatory_name": "Maya Okonkwo", "signatory_title": "Director"},
                 {"organization": psap}],
        variables={"effective_date": "2027-05-01"},
    )


def test_a_new_workgroup_gets_the_clause_library_and_five_templates(coordinator):
    from toolkit.services import workgroup_create

    workgroup = workgroup_create(actor=coordinator, name="Lakeshore", jurisdiction_type="city",
                                 jurisdiction_name="Lakeshore", goal="interoperability")

    assert AgreementTemplate.objects.filter(workgroup=workgroup).count() == 5
    assert Clause.objects.filter(workgroup=workgroup).count() >= 19


def test_creating_from_a_template_makes_version_1_with_the_parties_and_values_filled(mou):
    rendered = render_version(mou.versions.get())

    text = " ".join(clause.html for clause in rendered.clauses)
    assert rendered.version_number == 1 and rendered.title == "County 988/911 MOU"
    assert [p.name for p in rendered.parties] == ["Riverbend Crisis Line", "County 911 & Dispatch"]
    assert "Riverbend Crisis Line and County 911 &amp; Dispatch" in text  # escaped, joined
    assert "May 1, 2027" in text
    assert "[missing" not in text
    assert not any("42 CFR Part 2" in clause.title for clause in rendered.clauses)  # no substance-use party


def test_the_part_2_clause_appears_only_when_a_party_provides_substance_use_services(workgroup, coordinator):
    services.library_ensure_defaults(workgroup=workgroup)
    template = AgreementTemplate.objects.get(workgroup=workgroup, kind="mou")
    parties = [{"organization": OrganizationFactory(workgroup=workgroup), "is_substance_use_provider": True},
               {"organization": OrganizationFactory(workgroup=workgroup)}]

    agreement = services.agreement_create(actor=coordinator, workgroup=workgroup, template=template,
                                          title="With Part 2", parties=parties)

    titles = [clause.title for clause in render_version(agreement.versions.get()).clauses]
    assert any("Part 2" in title for title in titles)


def test_every_save_is_a_new_version_and_old_versions_never_change(mou, coordinator):
    first = mou.versions.get()
    key = first.clauses[0]["key"]

    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title=mou.title,
                            variables={"effective_date": "2027-06-01"},
                            clause_bodies={key: "<p>Revised purpose for [[parties]].</p>"},
                            change_summary="Counsel's first round")

    first.refresh_from_db()
    second = mou.versions.get(number=2)
    assert first.clauses[0]["body"] != second.clauses[0]["body"]
    assert second.clauses[0]["body"] == "<p>Revised purpose for [[parties]].</p>"
    assert first.variables["effective_date"] == "2027-05-01" and second.variables["effective_date"] == "2027-06-01"
    assert (second.author, second.change_summary) == (coordinator, "Counsel's first round")


def test_a_second_editor_working_from_an_old_version_is_refused_and_nothing_is_saved(mou, coordinator):
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="Edited by A",
                            variables={}, clause_bodies={})

    with pytest.raises(ValidationError, match="Someone else saved this agreement") as refused:
        services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="Edited by B",
                                variables={}, clause_bodies={})

    assert refused.value.code == "stale"
    assert AgreementVersion.objects.filter(agreement=mou).count() == 2
    mou.refresh_from_db()
    assert mou.title == "Edited by A"


def test_unsafe_clause_text_is_cleaned_and_bad_placeholders_are_refused_at_save(mou, coordinator):
    key = mou.versions.get().clauses[0]["key"]

    with pytest.raises(ValidationError, match="not an available variable"):
        services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title=mou.title,
                                variables={}, clause_bodies={key: "<p>[[settings]] {{ x }}</p>"})
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title=mou.title, variables={},
                            clause_bodies={key: '<p onclick="x()">Fine <script>alert(1)</script>text</p>'})

    assert mou.versions.get(number=2).clauses[0]["body"] == "<p>Fine text</p>"


def test_only_coordinators_draft_and_only_reviewers_approve(mou, member, legal_reviewer, coordinator):
    with pytest.raises(PermissionDenied):
        services.agreement_save(actor=member, agreement=mou, base_version_number=1, title="x", variables={},
                                clause_bodies={})
    services.agreement_submit(actor=coordinator, agreement=mou)
    with pytest.raises(PermissionDenied):
        services.agreement_approve(actor=member, agreement=mou)
    services.comment_add(actor=member, version=mou.versions.get(), clause_key=mou.versions.get().clauses[0]["key"],
                         body="Members may comment.")
    services.agreement_request_changes(actor=legal_reviewer, agreement=mou)
    mou.refresh_from_db()
    assert mou.status == AgreementStatus.CHANGES_REQUESTED


def test_approved_and_executed_agreements_cannot_be_edited_and_a_new_draft_starts_from_them(
    mou, coordinator, legal_reviewer
):
    services.agreement_submit(actor=coordinator, agreement=mou)
    services.agreement_approve(actor=legal_reviewer, agreement=mou)
    with pytest.raises(ValidationError, match="cannot be edited"):
        services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title="x", variables={},
                                clause_bodies={})
    with pytest.raises(ValidationError, match="every party"):
        services.agreement_execute(actor=coordinator, agreement=mou)
    for party in mou.parties.all():
        services.party_record_signature(actor=coordinator, party=party, signed_on=date(2026, 5, 3))
    approve_for_every_party(mou, coordinator)
    services.agreement_execute(actor=coordinator, agreement=mou)
    mou.refresh_from_db()
    assert render_version(mou.versions.get(number=1)).is_executed

    draft = services.agreement_new_draft(actor=coordinator, agreement=mou)
    assert (draft.number, mou.versions.count()) == (2, 2)
    mou.refresh_from_db()
    assert mou.status == AgreementStatus.DRAFT


def test_agreements_on_a_protocol_are_flagged_when_a_newer_version_comes_into_force(
    workgroup, coordinator, legal_reviewer
):
    from triage import services as triage_services
    from triage.defaults import EXAMPLE_SCENARIOS

    protocol = triage_services.protocol_create(actor=coordinator, workgroup=workgroup, name="Triage",
                                               scenarios=EXAMPLE_SCENARIOS)
    partner = OrganizationFactory(workgroup=workgroup)
    # Listed once: the new draft below keeps the partners that sign the version it starts from.
    triage_services.signatory_add(actor=coordinator, version=protocol.versions.get(), organization=partner)

    def approve(version):
        triage_services.version_submit(actor=coordinator, version=version)
        triage_services.approval_record(actor=coordinator, version=version, organization=partner,
                                        approved_on=date(2026, 1, 1), approver_name="Dana Ortiz")
        triage_services.version_approve(actor=coordinator, version=version)
        triage_services.version_put_in_force(actor=coordinator, version=version)

    approve(protocol.versions.get())
    services.library_ensure_defaults(workgroup=workgroup)
    agreement = services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=AgreementTemplate.objects.get(workgroup=workgroup, kind="mou"),
        title="MOU on triage", protocol=protocol,
        parties=[{"organization": partner}, {"organization": OrganizationFactory(workgroup=workgroup)}],
    )
    membership = Membership.objects.get(user=coordinator, workgroup=workgroup)
    assert list(agreements_needing_review(membership=membership)) == []

    approve(triage_services.version_new_draft(actor=coordinator, from_version=protocol.versions.get(number=1)))

    assert list(agreements_needing_review(membership=membership)) == [agreement]
    card = dashboard_card(workgroup=workgroup, membership=membership)
    assert any("MOU on triage" in warning for warning in card.warnings)


def test_a_template_or_party_of_another_workgroup_is_refused(workgroup, other_workgroup, coordinator):
    services.library_ensure_defaults(workgroup=other_workgroup)
    services.library_ensure_defaults(workgroup=workgroup)
    foreign_template = AgreementTemplate.objects.get(workgroup=other_workgroup, kind="mou")
    ours = AgreementTemplate.objects.get(workgroup=workgroup, kind="mou")

    with pytest.raises(ValidationError, match="does not belong"):
        services.agreement_create(actor=coordinator, workgroup=workgroup, template=foreign_template, title="x",
                                  parties=[{"organization": OrganizationFactory(workgroup=workgroup)}] * 2)
    with pytest.raises(ValidationError, match="does not belong"):
        services.agreement_create(actor=coordinator, workgroup=workgroup, template=ours, title="x",
                                  parties=[{"organization": OrganizationFactory(workgroup=workgroup)},
                                           {"organization": OrganizationFactory(workgroup=other_workgroup)}])
