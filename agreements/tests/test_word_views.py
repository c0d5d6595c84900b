"""The Word import pages: who may upload, review and apply; what a refused file or a refused apply looks like."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from agreements import word, word_package
from agreements.models import AgreementVersion, WordImport
from agreements.tests.word_helpers import (
    edit_document,
    exported,
    make_agreement,
    remove_bookmark,
    replace_text,
    upload,
)
from toolkit.models import Role
from toolkit.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
BASE = "/w/riverbend/agreements"


@pytest.fixture
def mou(workgroup, coordinator):
    return make_agreement(workgroup, coordinator)


@pytest.fixture
def imported(mou, coordinator) -> WordImport:
    def edits(root):
        replace_text(root, "records for five years", "records for seven years")
        replace_text(root, "every quarter", "every month")
        remove_bookmark(root, "clause_purpose")

    data = edit_document(exported(mou), edits)
    return word.word_import_create(actor=coordinator, agreement=mou, uploaded=upload(data))


def urls(mou, imported=None) -> dict[str, str]:
    found = {"create": f"{BASE}/{mou.pk}/word/"}
    if imported is not None:
        found["detail"] = f"{BASE}/{mou.pk}/word/{imported.pk}/"
        found["apply"] = f"{BASE}/{mou.pk}/word/{imported.pk}/apply/"
    return found


def test_a_legal_reviewer_uploads_counsels_copy_and_sees_each_clause(client, mou, legal_reviewer):
    client.force_login(legal_reviewer)
    data = edit_document(exported(mou), lambda root: replace_text(root, "for five years", "for seven years"))

    response = client.post(urls(mou)["create"], {"file": upload(data), "from_party": "County 911 & Dispatch"})

    word_import = WordImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}/{mou.pk}/word/{word_import.pk}/"
    assert word_import.uploaded_by == legal_reviewer and word_import.from_party == "County 911 & Dispatch"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 clause changed" in html and "<del>five</del> <ins>seven</ins>" in html
    assert 'name="accept"' not in html  # reviewers read; a coordinator accepts
    assert "A coordinator accepts or rejects each change" in html


def test_the_coordinator_accepts_one_change_and_rejects_the_other(client, mou, imported, coordinator):
    client.force_login(coordinator)
    page = client.get(urls(mou, imported)["detail"]).content.decode()
    assert page.count('name="accept"') == 2 and "Found by its heading" not in page  # unchanged clauses collapse

    response = client.post(urls(mou, imported)["apply"], {"accept": ["records"]})

    assert response.status_code == 302 and response["Location"] == f"{BASE}/{mou.pk}/"
    version = AgreementVersion.objects.get(agreement=mou, number=2)
    bodies = {c["key"]: c["body"] for c in version.clauses}
    assert bodies["records"] == "<p>Each party keeps its own records for seven years.</p>"
    assert "every quarter" in bodies["review"]
    assert "Saved as version 2" in [str(m) for m in get_messages(response.wsgi_request)][0]


def test_a_second_apply_is_refused_on_the_page_with_the_reason(client, mou, imported, coordinator):
    client.force_login(coordinator)
    client.post(urls(mou, imported)["apply"], {"accept": ["records"]})

    response = client.post(urls(mou, imported)["apply"], {"accept": ["review"]})

    assert response.status_code == 400
    assert word.MSG_ALREADY_APPLIED.format(number=2) in response.content.decode()
    assert mou.versions.count() == 2


def test_applying_with_nothing_ticked_keeps_the_edited_text_on_the_page(client, mou, imported, coordinator):
    client.force_login(coordinator)

    response = client.post(urls(mou, imported)["apply"], {"edited_records": "<p>Kept for ten years.</p>"})

    html = response.content.decode()
    assert response.status_code == 400 and word.MSG_NOTHING_ACCEPTED in html
    assert "&lt;p&gt;Kept for ten years.&lt;/p&gt;" in html
    assert mou.versions.count() == 1


def test_a_hostile_upload_is_refused_next_to_the_file_field(client, mou, coordinator):
    client.force_login(coordinator)

    response = client.post(urls(mou)["create"], {"file": upload(b"not a zip at all", "mou.docx")})

    assert response.status_code == 400
    assert word_package.MSG_NOT_DOCX in response.content.decode()
    assert not WordImport.objects.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER, Role.QA_REVIEWER])
def test_members_viewers_and_qa_reviewers_are_refused_every_word_page(client, workgroup, mou, imported, role):
    person = MembershipFactory(workgroup=workgroup, role=role).user
    client.force_login(person)
    pages = urls(mou, imported)

    assert client.get(pages["create"]).status_code == 403
    assert client.post(pages["create"], {"file": upload(exported(mou))}).status_code == 403
    assert client.get(pages["detail"]).status_code == 403
    assert client.post(pages["apply"], {"accept": ["records"]}).status_code == 403
    assert WordImport.objects.count() == 1 and mou.versions.count() == 1


def test_a_legal_reviewer_cannot_apply(client, mou, imported, legal_reviewer):
    client.force_login(legal_reviewer)

    assert client.post(urls(mou, imported)["apply"], {"accept": ["records"]}).status_code == 403
    assert mou.versions.count() == 1


def test_another_workgroup_sees_none_of_it(client, mou, imported, outsider, other_workgroup):
    client.force_login(outsider)
    pages = urls(mou, imported)

    for url in pages.values():
        assert client.get(url).status_code == 404
    assert client.post(pages["apply"], {"accept": ["records"]}).status_code == 404
    # Their own agreement's address with our import's number finds nothing either.
    theirs = make_agreement(other_workgroup, outsider, title="Elsewhere MOU")
    assert client.get(f"/w/elsewhere/agreements/{theirs.pk}/word/{imported.pk}/").status_code == 404
    assert client.get(f"/w/elsewhere/agreements/{mou.pk}/word/").status_code == 404


def test_the_review_page_says_when_the_agreement_moved_on(client, mou, imported, coordinator):
    from agreements import services

    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title=mou.title, variables={},
                            clause_bodies={})
    client.force_login(coordinator)

    html = client.get(urls(mou, imported)["detail"]).content.decode()

    assert "is at version 2 now, not version 1" in html and 'name="accept"' not in html
    response = client.post(urls(mou, imported)["apply"], {"accept": ["records"]})
    assert response.status_code == 400 and "compared with version 1" in response.content.decode()
