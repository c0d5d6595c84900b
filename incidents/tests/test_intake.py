"""The public intake link: managing it, reporting through it, and what it refuses (robots, floods, bad files)."""

from __future__ import annotations

import io
import re
import time
import uuid
from datetime import timedelta

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from incidents import intake
from incidents.models import Attachment, Incident, IncidentSettings, SubmittedVia
from incidents.tests.test_services import report
from toolkit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    """The limits are counted in the cache, which outlives a test's transaction: each test gets a cache of its
    own (clearing a shared one could flush a Redis database other things use)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"intake-test-{uuid.uuid4().hex}"}}


def manage_url(workgroup):
    return reverse("incidents:intake-link", kwargs={"slug": workgroup.slug})


def link_url(workgroup, token):
    return reverse("incidents-public:intake", kwargs={"slug": workgroup.slug, "link_token": token})


def turned_on(workgroup, actor):
    return intake.intake_link_enable(actor=actor, workgroup=workgroup).intake_token


def intake_data(workgroup, *, seconds_ago=10, **overrides):
    now = timezone.localtime()
    data = {"incident_class": "near_miss", "category": "delay",
            "occurred_at": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "discovered_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "transfer_direction": "988_to_911", "cad_reference": "", "contact_reference": "988-5531",
            "narrative": "The 911 call-back number was not passed on with the transfer.",
            "immediate_actions": "", "harm_estimate": "none", "risk_level": "",
            "reporter_name": "", "reporter_contact": "", "website": "",
            "started": intake.form_stamp(workgroup, issued_at=time.time() - seconds_ago)}
    data.update(overrides)
    return data


def a_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


# --- Managing the link -----------------------------------------------------------------------------------


def test_a_qa_reviewer_turns_the_link_on_and_the_trail_records_it_without_the_secret(client, qa_reviewer, workgroup):
    client.force_login(qa_reviewer)
    assert b"No link yet" in client.get(manage_url(workgroup)).content

    response = client.post(manage_url(workgroup), {"operation": "turn_on"})

    token = IncidentSettings.objects.get(workgroup=workgroup).intake_token
    assert response.status_code == 302 and len(token) >= 32
    page = client.get(manage_url(workgroup)).content.decode()
    assert f"http://testserver{link_url(workgroup, token)}" in page
    event = AuditEvent.objects.get(object_type="incidents.incidentsettings")
    assert event.actor == qa_reviewer and token not in str(event.changes) + event.object_repr
    assert "intake_token" not in {field.name for field in IncidentSettings.history.model._meta.fields}
    assert IncidentSettings.history.get().history_change_reason == "Intake link turned on"


def test_turning_the_link_on_twice_keeps_the_same_link(client, coordinator, workgroup):
    token = turned_on(workgroup, coordinator)
    client.force_login(coordinator)

    client.post(manage_url(workgroup), {"operation": "turn_on"})

    assert IncidentSettings.objects.get(workgroup=workgroup).intake_token == token


def test_replacing_the_link_asks_for_confirmation_then_the_old_link_stops_at_once(client, qa_reviewer, workgroup):
    old = turned_on(workgroup, qa_reviewer)
    client.force_login(qa_reviewer)

    unconfirmed = client.post(manage_url(workgroup), {"operation": "replace"})
    assert unconfirmed.status_code == 400 and "Tick the box to confirm." in unconfirmed.content.decode()
    assert IncidentSettings.objects.get(workgroup=workgroup).intake_token == old

    client.post(manage_url(workgroup), {"operation": "replace", "confirm": "on"})

    new = IncidentSettings.objects.get(workgroup=workgroup).intake_token
    assert new != old
    client.logout()
    refused = client.get(link_url(workgroup, old))
    assert refused.status_code == 404 and "replaced or turned off" in refused.content.decode()
    assert client.get(link_url(workgroup, new)).status_code == 200
    assert AuditEvent.objects.filter(object_type="incidents.incidentsettings").count() == 2


def test_a_turned_off_or_wrong_link_is_not_found_and_an_archived_workgroups_is_gone(client, qa_reviewer, workgroup):
    token = turned_on(workgroup, qa_reviewer)
    assert client.get(link_url(workgroup, token + "x")).status_code == 404
    assert client.get(link_url(workgroup, token[:-1])).status_code == 404

    workgroup.archived_at = timezone.now()
    workgroup.save(update_fields=["archived_at"])
    assert client.get(link_url(workgroup, token)).status_code == 410
    workgroup.archived_at = None
    workgroup.save(update_fields=["archived_at"])

    intake.intake_link_disable(actor=qa_reviewer, workgroup=workgroup)
    response = client.get(link_url(workgroup, token))
    assert response.status_code == 404 and response["X-Robots-Tag"] == "noindex, nofollow"
    assert client.post(link_url(workgroup, token), intake_data(workgroup)).status_code == 404
    assert not Incident.objects.exists()


def test_only_qa_and_coordinators_manage_the_link(client, member, viewer, outsider, workgroup):
    for person, status in ((member, 403), (viewer, 403), (outsider, 404)):
        client.force_login(person)
        assert client.post(manage_url(workgroup), {"operation": "turn_on"}).status_code == status
    assert not IncidentSettings.objects.exists()


# --- Reporting through it --------------------------------------------------------------------------------


def test_an_anonymous_report_shows_only_its_reference_and_a_thank_you(client, qa_reviewer, workgroup):
    earlier = report(qa_reviewer, workgroup, narrative="Earlier report: mobile crisis team waited 40 minutes.")
    token = turned_on(workgroup, qa_reviewer)

    response = client.post(link_url(workgroup, token), intake_data(workgroup))

    incident = Incident.objects.get(submitted_via=SubmittedVia.INTAKE)
    page = response.content.decode()
    assert response.status_code == 200 and incident.reference in page and "Thank you" in page
    for other in (earlier.reference, earlier.narrative, incident.narrative, "988-5531", "/w/"):
        assert other not in page
    assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex, nofollow"
    assert incident.reported_by is None and incident.reporter_name == "" and incident.reporter_contact == ""
    assert incident.status == "submitted"


def test_a_named_report_keeps_who_sent_it_for_qa(client, qa_reviewer, workgroup):
    token = turned_on(workgroup, qa_reviewer)

    client.post(link_url(workgroup, token), intake_data(workgroup, reporter_name="  Dana R. (dispatch) ",
                                                        reporter_contact="ext. 4471"))

    incident = Incident.objects.get()
    assert (incident.reporter_name, incident.reporter_contact) == ("Dana R. (dispatch)", "ext. 4471")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"website": "http://spam.example"}, "a field meant to stay empty was filled in"),
    ({"seconds_ago": 0}, "That was sent very quickly"),
    ({"seconds_ago": 2 * 24 * 60 * 60}, "opened more than a day ago"),
    ({"started": "forged"}, "The form could not be checked"),
])
def test_robot_like_submissions_are_refused_and_the_input_kept(client, qa_reviewer, workgroup, overrides, message):
    token = turned_on(workgroup, qa_reviewer)
    data = intake_data(workgroup, **overrides)

    response = client.post(link_url(workgroup, token), data)

    assert response.status_code == 400 and message in response.content.decode()
    form = response.context["form"]
    assert form["narrative"].value() == data["narrative"] and form["contact_reference"].value() == "988-5531"
    assert form["website"].value() == "" and form["started"].value() != data["started"]  # ready to send again
    assert not Incident.objects.exists()


def test_the_trap_is_out_of_sight_out_of_reach_and_silent_for_screen_readers(client, qa_reviewer, workgroup):
    page = client.get(link_url(workgroup, turned_on(workgroup, qa_reviewer))).content.decode()

    trap = re.search(r'<div\s+class="visually-hidden"\s+aria-hidden="true">.*?(<input[^>]*name="website"[^>]*>)',
                     page, re.S)
    assert trap is not None
    assert 'tabindex="-1"' in trap.group(1) and 'autocomplete="off"' in trap.group(1)


def test_the_n_plus_first_report_from_one_address_is_refused_with_429(client, qa_reviewer, workgroup, settings):
    settings.INCIDENT_INTAKE_RATE_PER_ADDRESS = (2, 3600)
    url = link_url(workgroup, turned_on(workgroup, qa_reviewer))
    assert [client.post(url, intake_data(workgroup)).status_code for _ in range(2)] == [200, 200]

    refused = client.post(url, intake_data(workgroup), HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert refused.status_code == 429 and int(refused["Retry-After"]) == 3600
    assert "Too many reports" in refused.content.decode()
    assert refused.context["form"]["narrative"].value() == intake_data(workgroup)["narrative"]
    assert Incident.objects.count() == 2
    assert client.post(url, intake_data(workgroup), REMOTE_ADDR="198.51.100.7").status_code == 200


def test_a_link_takes_a_limited_number_of_reports_a_day(client, qa_reviewer, workgroup, settings):
    settings.INCIDENT_INTAKE_RATE_PER_LINK = (1, 86400)
    url = link_url(workgroup, turned_on(workgroup, qa_reviewer))
    client.post(url, intake_data(workgroup), REMOTE_ADDR="198.51.100.1")

    refused = client.post(url, intake_data(workgroup), REMOTE_ADDR="198.51.100.2")

    assert refused.status_code == 429 and "as many reports as it takes in a day" in refused.content.decode()
    assert Incident.objects.count() == 1


def test_a_report_refused_for_a_mistake_does_not_use_up_the_limit(client, qa_reviewer, workgroup, settings):
    settings.INCIDENT_INTAKE_RATE_PER_ADDRESS = (1, 3600)
    url = link_url(workgroup, turned_on(workgroup, qa_reviewer))
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    assert client.post(url, intake_data(workgroup, occurred_at=later, discovered_at=later)).status_code == 400
    assert client.post(url, intake_data(workgroup)).status_code == 200


def test_the_client_address_is_remote_addr_unless_proxies_are_configured(settings):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.4")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert intake.client_address(request) == "10.0.0.5"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert intake.client_address(request) == "203.0.113.4"


def test_a_report_with_a_pdf_keeps_the_file(client, qa_reviewer, workgroup):
    token = turned_on(workgroup, qa_reviewer)
    content = a_pdf()
    data = intake_data(workgroup, file=SimpleUploadedFile("C:\\Users\\dana\\timeline.pdf", content, "application/pdf"))

    response = client.post(link_url(workgroup, token), data)

    attachment = Attachment.objects.get()
    assert response.status_code == 200 and attachment.incident == Incident.objects.get()
    assert attachment.uploaded_by is None and attachment.content_type == "application/pdf"
    assert attachment.filename == "timeline.pdf"
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_a_program_renamed_pdf_refuses_the_whole_report(client, qa_reviewer, workgroup):
    token = turned_on(workgroup, qa_reviewer)
    program = SimpleUploadedFile("timeline.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 10, "application/pdf")

    response = client.post(link_url(workgroup, token), intake_data(workgroup, file=program))

    page = response.content.decode()
    assert response.status_code == 400 and "it looks like a Windows program" in page
    assert "Choose the file again" in page
    assert response.context["form"]["narrative"].value() == intake_data(workgroup)["narrative"]
    assert not Incident.objects.exists() and not Attachment.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_qa_turns_the_link_on_and_staff_report_through_it(page, qa_reviewer, artifacts_dir, settings):
    from toolkit.tests.factories import TEST_PASSWORD

    settings.INCIDENT_INTAKE_FORM_MIN_SECONDS = 0  # a robot's speed is what this test types at
    from partners.tests.factories import OrganizationFactory

    workgroup = qa_reviewer.memberships.get().workgroup
    OrganizationFactory(workgroup=workgroup, name="Riverbend County 911")
    OrganizationFactory(workgroup=workgroup, name="Riverbend 988 Lifeline Center")
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(qa_reviewer.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(manage_url(workgroup))
    page.get_by_role("button", name="Turn the link on").click()
    link = page.get_by_test_id("intake-url").input_value()
    page.get_by_text("Replace the link…").click()
    page.screenshot(path=artifacts_dir / "incidents-intake-link.png", full_page=True)

    staff = page.context.browser.new_context(viewport={"width": 1000, "height": 900})
    form = staff.new_page()
    form.goto(link)
    assert form.get_by_role("textbox", name="Leave this empty").count() == 0  # not in the accessibility tree
    assert form.locator("[aria-hidden=true]:has(input[name=website])").bounding_box()["width"] <= 1  # out of sight
    form.get_by_label("Near miss").check()
    form.get_by_label("Category").select_option("failed_transfer")
    now = timezone.localtime()
    form.get_by_label("When it happened").fill((now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("When it was noticed").fill((now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Riverbend County 911").check()
    form.get_by_label("What happened").fill("The warm transfer to 988 dropped after the second ring.")
    form.get_by_label("Attachment (optional)").set_input_files(
        files=[{"name": "timeline.pdf", "mimeType": "application/pdf", "buffer": a_pdf()}])
    form.screenshot(path=artifacts_dir / "incidents-intake-form.png", full_page=True)
    form.get_by_role("button", name="Send report").click()

    form.get_by_test_id("thanks").wait_for()
    incident = Incident.objects.get()
    assert form.get_by_test_id("reference").inner_text() == incident.reference
    assert incident.attachments.count() == 1 and incident.reporter_name == ""
    assert [org.name for org in incident.organizations.all()] == ["Riverbend County 911"]
    form.screenshot(path=artifacts_dir / "incidents-intake-thanks.png", full_page=True)
    staff.close()
