"""The edit page around the clause editor: open comments beside each clause, placeholder buttons, and what the
editor posts (quotes written as &quot;, spaces as &nbsp;) saved as the clause language expects."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from lxml import html

from agreements import selectors, services
from agreements.forms import unescape_quotes_in_placeholders
from agreements.models import AgreementTemplate
from partners.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

QUOTE = "stays on the line until the 988 counselor answers"
# How Quill writes a condition, with the clause editor's own fix-up of spaces already applied.
EDITOR_CONDITION = ("<p>Reports go out [[if reporting_frequency == &quot;monthly&quot;]]every month[[endif]]"
                    "[[if reporting_frequency == &#34;quarterly&#34;]]each quarter[[endif]].</p>")


def url(name: str, *args) -> str:
    return reverse(f"agreements:{name}", args=["riverbend", *args])


@pytest.fixture
def mou(workgroup, coordinator):
    services.library_ensure_defaults(workgroup=workgroup)
    template = AgreementTemplate.objects.get(workgroup=workgroup, kind="mou")
    return services.agreement_create(
        actor=coordinator, workgroup=workgroup, template=template, title="County 988/911 MOU",
        parties=[{"organization": OrganizationFactory(workgroup=workgroup)},
                 {"organization": OrganizationFactory(workgroup=workgroup)}],
        variables={"reporting_frequency": "monthly"},
    )


def edit_data(agreement, **clauses) -> dict:
    version = agreement.versions.get(number=agreement.current_version_number)
    data = {"base_version_number": version.number, "title": version.title, "change_summary": ""}
    data.update({f"var_{name}": value for name, value in version.variables.items()})
    data.update({f"clause_{c['key']}": c["body"] for c in version.clauses})
    data.update({f"clause_{key.replace('_', '-')}": body for key, body in clauses.items()})
    return data


def section(page, key: str):
    return html.fromstring(page.content).get_element_by_id(f"clause-{key}")


def test_open_comments_sit_beside_their_clause_with_the_version_raised_on_and_the_quote(
    client, coordinator, legal_reviewer, mou
):
    version_1 = mou.versions.get(number=1)
    services.comment_add(actor=legal_reviewer, version=version_1, clause_key="call-transfer", quote=QUOTE,
                         body="Name the dedicated transfer line.")
    resolved = services.comment_add(actor=legal_reviewer, version=version_1, clause_key="call-transfer",
                                    body="An older point, settled.")
    services.comment_resolve(actor=legal_reviewer, comment=resolved)
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title=mou.title,
                            variables={}, clause_bodies={"purpose-scope": "<p>Revised.</p>"})
    client.force_login(coordinator)

    page = client.get(url("agreement-edit", mou.pk))

    transfer = section(page, "call-transfer")
    comments = transfer.find_class("clause-comments")[0].text_content()
    assert "Name the dedicated transfer line." in comments
    assert "raised on version 1" in comments and f"“{QUOTE}”" in comments
    assert "An older point, settled." not in page.content.decode()
    assert transfer.get("open") is not None and "1 open comment" in transfer.find("summary").text_content()
    assert section(page, "definitions").get("open") is None  # no comments: closed until opened
    assert "1 open review comment" in html.fromstring(page.content).text_content()


def test_every_placeholder_and_condition_is_a_button_that_inserts_it(client, coordinator, mou):
    client.force_login(coordinator)

    doc = html.fromstring(client.get(url("agreement-edit", mou.pk)).content)

    inserts = {b.get("data-insert"): b.get("data-insert-end") for b in doc.xpath("//button[@data-insert]")}
    assert inserts["[[parties]]"] is None and inserts["[[workgroup.name]]"] is None
    assert inserts['[[if reporting_frequency == "monthly"]]'] == "[[endif]]"
    assert inserts["[[if tribal_party]]"] == "[[endif]]"
    assert all(b.get("type") == "button" for b in doc.xpath("//button[@data-insert]"))  # never submits


def test_each_clause_is_a_textarea_the_editor_takes_over_and_the_page_loads_the_editor(client, coordinator, mou):
    client.force_login(coordinator)

    doc = html.fromstring(client.get(url("agreement-edit", mou.pk)).content)

    textarea = doc.get_element_by_id("id_clause_call-transfer")
    assert textarea.tag == "textarea" and textarea.get("data-clause-editor") == "call-transfer"
    assert "<strong>911 to 988.</strong>" in textarea.text  # the HTML as saved, for the no-JS form
    sources = doc.xpath("//script/@src") + doc.xpath("//link[@rel='stylesheet']/@href")
    assert {"/static/vendor/quill/quill.js", "/static/vendor/quill/quill.snow.css",
            "/static/agreements/clause-editor.js", "/static/agreements/clause-editor.css"} <= set(sources)
    assert not doc.xpath("//script[not(@src)]") and not doc.xpath("//*[@style]")  # nothing the CSP blocks


def test_the_editor_library_is_served_from_node_modules():
    # package.json pins quill; toolkit/settings.py maps node_modules/quill/dist to static/vendor/quill.
    assert finders.find("vendor/quill/quill.js") and finders.find("vendor/quill/quill.snow.css")


def test_quotes_the_editor_writes_as_entities_are_plain_quotes_in_the_saved_condition(client, coordinator, mou):
    client.force_login(coordinator)

    response = client.post(url("agreement-edit", mou.pk), edit_data(mou, purpose_scope=EDITOR_CONDITION))

    assert response.status_code == 302
    body = {c["key"]: c["body"] for c in mou.versions.get(number=2).clauses}["purpose-scope"]
    assert body == ('<p>Reports go out [[if reporting_frequency == "monthly"]]every month[[endif]]'
                    '[[if reporting_frequency == "quarterly"]]each quarter[[endif]].</p>')
    rendered = selectors.render_version(mou.versions.get(number=2)).clauses[0].html
    assert "Reports go out every month." in rendered


def test_a_condition_the_editor_wrapped_in_its_own_paragraph_leaves_no_empty_paragraph(client, coordinator, mou):
    # What Quill's getSemanticHTML makes of "<p>a</p>[[if has_substance_use_provider]]<p>b</p>[[endif]]".
    wrapped = ("<p>Always.</p><p>[[if has_substance_use_provider]]</p><p>Part 2 applies.</p>"
               "<p>[[endif]]</p><p>After.</p>")
    client.force_login(coordinator)

    assert client.post(url("agreement-edit", mou.pk), edit_data(mou, purpose_scope=wrapped)).status_code == 302

    body = {c["key"]: c["body"] for c in mou.versions.get(number=2).clauses}["purpose-scope"]
    assert body == "<p>Always.</p>[[if has_substance_use_provider]]<p>Part 2 applies.</p>[[endif]]<p>After.</p>"
    rendered = selectors.render_version(mou.versions.get(number=2)).clauses[0].html
    assert "<p></p>" not in rendered and "<p>Always.</p>" in rendered and "<p>After.</p>" in rendered


def test_only_quotes_inside_double_brackets_are_unescaped():
    text = '<p title="&quot;">&quot;Said&quot; [[if a == &quot;b&QUOT;]] &lt;x&gt; [[c]] &#39;</p>'

    assert unescape_quotes_in_placeholders(text) == '<p title="&quot;">&quot;Said&quot; [[if a == "b"]] &lt;x&gt; ' \
                                                    "[[c]] &#39;</p>"


def test_a_refused_placeholder_keeps_the_typed_html_and_opens_that_clause_with_its_error(client, coordinator, mou):
    typed = "<h3>Transfers</h3><ol><li>Keep <strong>[[secret_key]]</strong> and every word typed</li></ol>"
    client.force_login(coordinator)

    response = client.post(url("agreement-edit", mou.pk), edit_data(mou, call_transfer=typed))

    assert response.status_code == 400
    transfer = section(response, "call-transfer")
    assert transfer.get("open") is not None and "Your changes, not saved yet" in transfer.text_content()
    assert transfer.get_element_by_id("id_clause_call-transfer").text.strip() == typed
    assert "“secret_key” is not an available variable" in transfer.text_content()
    assert section(response, "definitions").get("open") is None


def test_a_stale_save_keeps_the_editor_html_typed_and_marks_the_clauses_on_both_sides(client, coordinator, mou):
    typed = '<p>Ours: [[if reporting_frequency == &quot;monthly&quot;]]<em>monthly</em>[[endif]] calls.</p>'
    ours = edit_data(mou, call_transfer=typed)  # typed on version 1 ...
    # ... while another tab saved version 2
    services.agreement_save(actor=coordinator, agreement=mou, base_version_number=1, title=mou.title,
                            variables={}, clause_bodies={"definitions": "<p>Theirs.</p>"})
    client.force_login(coordinator)

    response = client.post(url("agreement-edit", mou.pk), ours)

    assert response.status_code == 409
    transfer, definitions = section(response, "call-transfer"), section(response, "definitions")
    assert transfer.get_element_by_id("id_clause_call-transfer").text.strip() == typed
    assert transfer.get("open") is not None and "Your changes, not saved yet" in transfer.text_content()
    assert "Changed by the other save" in definitions.text_content()
    assert "Your changes" not in definitions.text_content()


def test_an_outsider_never_sees_the_edit_page_or_its_comments(client, outsider, legal_reviewer, mou):
    services.comment_add(actor=legal_reviewer, version=mou.versions.get(number=1), clause_key="call-transfer",
                         body="Internal note on the transfer line.")
    client.force_login(outsider)

    response = client.get(url("agreement-edit", mou.pk))

    assert response.status_code == 404 and "Internal note" not in response.text


def test_a_legal_reviewer_cannot_open_the_editor(client, legal_reviewer, mou):
    client.force_login(legal_reviewer)

    assert client.get(url("agreement-edit", mou.pk)).status_code == 403
