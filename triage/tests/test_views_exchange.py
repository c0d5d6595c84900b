"""JSON export download and the import upload page (triage.views.exchange)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from toolkit.tests.upload_files import pdf_bytes
from triage import jsonio, services
from triage.defaults import EXAMPLE_SCENARIOS, default_tree
from triage.models import Node, Protocol, ProtocolVersion, SafetyRule, Scenario, VersionStatus

pytestmark = pytest.mark.django_db


def url(name: str, workgroup, **kwargs) -> str:
    return reverse(f"triage:{name}", kwargs={"slug": workgroup.slug, **kwargs})


def upload(client, workgroup, data: bytes, name: str = ""):
    return client.post(url("import-json", workgroup),
                       {"file": SimpleUploadedFile("protocol.json", data, "application/json"), "name": name})


@pytest.fixture
def version(coordinator, workgroup):
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="Riverbend Call Triage",
                                        scenarios=EXAMPLE_SCENARIOS)
    return protocol.versions.get()


@pytest.fixture
def file_bytes(version) -> bytes:
    return jsonio.dumps(version).encode()


def counts() -> tuple[int, ...]:
    return Protocol.objects.count(), ProtocolVersion.objects.count(), Node.objects.count(), Scenario.objects.count()


# --- Export --------------------------------------------------------------------------------------------


def test_a_viewer_downloads_the_version_as_a_json_attachment(client, viewer, version):
    client.force_login(viewer)
    response = client.get(url("export-json", version.workgroup, protocol_version_id=version.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="riverbend-call-triage-v1.json"'
    assert "no-store" in response["Cache-Control"]
    assert response.content.decode() == jsonio.dumps(version)
    assert json.loads(response.content)["schema"] == jsonio.SCHEMA_ID


def test_an_outsider_gets_404_for_the_export(client, outsider, version):
    client.force_login(outsider)
    assert client.get(url("export-json", version.workgroup, protocol_version_id=version.pk)).status_code == 404


def test_another_workgroups_version_is_not_found_through_our_workgroup(client, outsider, other_workgroup, member,
                                                                        workgroup):
    theirs = services.protocol_create(actor=outsider, workgroup=other_workgroup, name="Elsewhere secret")
    client.force_login(member)
    response = client.get(url("export-json", workgroup, protocol_version_id=theirs.versions.get().pk))
    assert response.status_code == 404
    assert b"Elsewhere secret" not in response.content


def test_anonymous_people_are_sent_to_log_in(client, version):
    response = client.get(url("export-json", version.workgroup, protocol_version_id=version.pk))
    assert response.status_code == 302 and "login" in response["Location"]


# --- Import --------------------------------------------------------------------------------------------


def test_a_member_sees_the_upload_form(client, member, workgroup):
    client.force_login(member)
    response = client.get(url("import-json", workgroup))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="file"' in body and jsonio.SCHEMA_ID in body


def test_a_member_imports_a_file_as_a_new_draft_and_lands_on_it(client, member, workgroup, file_bytes):
    client.force_login(member)
    response = upload(client, workgroup, file_bytes)
    protocol = Protocol.objects.get(name="Riverbend Call Triage (imported)")
    new_version = protocol.versions.get()
    assert (new_version.number, new_version.status) == (1, VersionStatus.DRAFT)
    assert new_version.nodes.count() == len(default_tree().nodes)
    assert new_version.scenarios.count() == len(EXAMPLE_SCENARIOS)
    assert response.status_code == 302
    assert response["Location"] == url("version-detail", workgroup, protocol_version_id=new_version.pk)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Imported “Riverbend Call Triage (imported)” as a draft (version 1). Review it, run its "
                        "scenarios and send it to review when your partners agree."]
    assert protocol.history.first().history_user == member


def test_an_approved_file_still_imports_as_a_draft_under_the_chosen_name(client, coordinator, workgroup,
                                                                          file_bytes):
    document = json.loads(file_bytes)
    document["version"].update(number=4, status="approved")
    client.force_login(coordinator)
    assert upload(client, workgroup, json.dumps(document).encode(), name="Lakeside triage").status_code == 302
    assert Protocol.objects.get(name="Lakeside triage").versions.get().status == VersionStatus.DRAFT


def test_a_viewer_may_not_import(client, viewer, workgroup, file_bytes):
    client.force_login(viewer)
    before = counts()
    assert client.get(url("import-json", workgroup)).status_code == 403
    assert upload(client, workgroup, file_bytes).status_code == 403
    assert counts() == before


def test_an_outsider_gets_404_for_the_import(client, outsider, workgroup, file_bytes):
    client.force_login(outsider)
    before = counts()
    assert client.get(url("import-json", workgroup)).status_code == 404
    assert upload(client, workgroup, file_bytes).status_code == 404
    assert counts() == before


def test_codes_rules_and_entry_lines_survive_a_download_and_an_upload(client, coordinator, workgroup, version):
    outcome = version.nodes.filter(kind="outcome").order_by("order").first()
    outcome.codes = [{"system": "Riverbend PSAP CAD disposition", "code": "BH-1"}]
    outcome.save()
    criterion = version.criteria.order_by("order").first().key
    SafetyRule.objects.create(workgroup=workgroup, version=version, name="Shared rule for the round trip",
                              kind="route_only_when", when={criterion: True}, routes=["988_to_911"], order=99)
    client.force_login(coordinator)
    downloaded = client.get(url("export-json", workgroup, protocol_version_id=version.pk)).content
    assert json.loads(downloaded)["schema_version"] == 2
    assert upload(client, workgroup, downloaded, name="Shared copy").status_code == 302
    copy = Protocol.objects.get(name="Shared copy").versions.get()
    assert copy.nodes.get(key=outcome.key).codes == outcome.codes
    assert list(copy.rules.values_list("name", flat=True)) == list(version.rules.values_list("name", flat=True))
    assert sorted(copy.nodes.filter(is_root=True).values_list("entry_line", flat=True)) == sorted(
        version.nodes.filter(is_root=True).values_list("entry_line", flat=True))
    document = json.loads(jsonio.dumps(copy))
    document["protocol"]["name"] = "Riverbend Call Triage"
    assert document == json.loads(downloaded)


def test_a_broken_file_is_listed_with_status_400_and_nothing_is_kept(client, member, workgroup, file_bytes):
    document = json.loads(file_bytes)
    index = next(i for i, node in enumerate(document["nodes"]) if len(node["options"]) > 1)
    document["nodes"][index]["options"][1]["next"] = 7
    document["id"] = 12
    document["scenarios"][0]["answers"]["ghost"] = "Yes"
    client.force_login(member)
    before = counts()
    response = upload(client, workgroup, json.dumps(document).encode())
    assert response.status_code == 400
    body = response.content.decode()
    assert "nothing was stored" in body
    assert f"nodes[{index}].options[1].next must be a string, not a number." in body
    assert "The file has an unknown field “id”." in body
    assert counts() == before


@pytest.mark.parametrize(("data", "expected"), [
    (b"[" * 100_000, "more than 20 levels deep"),
    (b"x" * 10_000_000, "larger than 1 MB"),
    (b"<html>", "not valid JSON"),
    (pdf_bytes(), "not a protocol file (JSON): it looks like a PDF"),
])
def test_hostile_uploads_are_refused_cleanly(client, member, workgroup, data, expected):
    client.force_login(member)
    before = counts()
    response = upload(client, workgroup, data)
    assert response.status_code == 400 and expected in response.content.decode()
    assert counts() == before


def test_an_upload_without_a_file_is_refused(client, member, workgroup):
    client.force_login(member)
    response = client.post(url("import-json", workgroup), {"name": "x"})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
