"""Text that documents cannot hold: refused or cleaned on the way in, scrubbed on the way out.

Imports and forms go through ``toolkit.text``; the diagram (SVG) and the JSON export must also survive
rows written before the normaliser existed. A lone surrogate cannot even be stored (neither PostgreSQL
nor SQLite accepts it), so the renderers are tested with it on the data they are handed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Value
from django.db.models.functions import Concat

from triage import diagram, engine, jsonio, services
from triage.defaults import EXAMPLE_SCENARIOS, NODES
from triage.models import Node, Option, Protocol, ProtocolVersion, RiskLevel
from triage.tests.test_diagram import SVG, requires_dot

pytestmark = pytest.mark.django_db

BASE = "/w/riverbend/triage"
UNKEEPABLE = ["\x0b", "\x01", "\x1b"]  # Word's line break, and two control characters XML forbids
# A question inside the tree (not a first question), whose answers a scenario names: lethal-means counseling on 988.
KEY = "988-means"
TEXT = next(node.text for node in NODES if node.key == KEY)
MEANS_SCENARIO = next(s for s in EXAMPLE_SCENARIOS if KEY in s[1])


@pytest.fixture
def version(workgroup, coordinator) -> ProtocolVersion:
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="County",
                                        scenarios=EXAMPLE_SCENARIOS)
    return protocol.versions.get()


def _upload(client, data: bytes):
    return client.post(f"{BASE}/import/", {"file": SimpleUploadedFile("p.json", data, "application/json")})


def _document(version) -> dict:
    return json.loads(jsonio.dumps(version))


# --- Import ---------------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_an_imported_file_is_refused_with_where_it_is(client, member, version):
    text = jsonio.dumps(version)
    assert text.count(TEXT) == 1
    text = text.replace(TEXT, TEXT.replace("will the person", "will the \\ud800person"))  # the JSON escape
    client.force_login(member)
    before = Protocol.objects.count(), Node.objects.count()

    response = _upload(client, text.encode())

    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was stored" in page
    index = [n["key"] for n in _document(version)["nodes"]].index(KEY)
    assert f"nodes[{index}].text: This text contains a broken character (U+D800" in page
    assert (Protocol.objects.count(), Node.objects.count()) == before


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\x00"])
def test_a_control_character_in_an_imported_file_is_refused_with_where_it_is(client, member, version, char):
    document = _document(version)
    document["risk_levels"][0]["description"] = f"No danger{char} now"
    client.force_login(member)
    before = Protocol.objects.count()

    response = _upload(client, json.dumps(document).encode())

    assert response.status_code == 400
    assert "risk_levels[0].description: This text contains a character that cannot be kept in documents" in \
        response.content.decode()
    assert Protocol.objects.count() == before


def test_a_surrogate_in_a_name_of_the_file_never_reaches_the_page(client, member, version):
    document = _document(version)
    document["protocol"]["na\ud800me"] = "x"  # an unknown field whose very name cannot be shown
    client.force_login(member)

    response = _upload(client, json.dumps(document).encode())

    assert response.status_code == 400
    assert "This text contains a broken character" in response.content.decode()


def test_words_line_breaks_in_an_imported_file_become_spaces_in_one_line_fields_and_newlines_elsewhere(
        client, member, version):
    document = _document(version)
    node = next(n for n in document["nodes"] if n["key"] == KEY)
    node["text"] = "Will the means\x0bbe put away?"
    node["guidance"] = "Listen.\x0bThen ask."
    node["options"][0]["label"] = node["options"][0]["label"].replace(" ", "\x0b", 1)
    named = 0
    for scenario in document["scenarios"]:  # the scenarios name the answer as it was typed
        if scenario["answers"].get(KEY) == node["options"][0]["label"].replace("\x0b", " "):
            scenario["answers"][KEY] = node["options"][0]["label"]
            named += 1
    assert named  # a scenario goes through the changed answer, so the import checks it still matches
    client.force_login(member)

    response = _upload(client, json.dumps(document).encode())

    assert response.status_code == 302, response.content.decode()[:2000]
    imported = Node.objects.exclude(version=version).get(key=KEY)
    assert imported.text == "Will the means be put away?"
    assert imported.guidance == "Listen.\nThen ask."
    label = imported.options.order_by("order").first().label
    assert "\x0b" not in label and label == MEANS_SCENARIO[1][KEY]


# --- Renderers: rows stored before the normaliser -------------------------------------------------------


def _poison(version: ProtocolVersion, char: str) -> None:
    """Write the character straight into the database, the way older rows may hold it."""
    Node.objects.filter(version=version, key=KEY).update(text=f"Means put{char}away?", guidance=f"Listen{char}first.")
    # At the end of the answers, so the scenarios that name them still match once the character is gone.
    Option.objects.filter(node__version=version, node__key=KEY).update(label=Concat(F("label"), Value(char)))
    RiskLevel.objects.filter(version=version, key="low").update(name=f"Low{char}risk", description=f"a{char}b")
    Protocol.objects.filter(pk=version.protocol_id).update(name=f"County{char}triage")


@requires_dot
@pytest.mark.parametrize("char", UNKEEPABLE)
def test_the_diagram_is_valid_svg_whatever_older_rows_hold(client, viewer, version, char):
    _poison(version, char)
    client.force_login(viewer)

    response = client.get(f"{BASE}/versions/{version.pk}/diagram.svg")

    assert response.status_code == 200
    svg = response.content.decode()
    texts = " ".join(" ".join(e.itertext()) for e in ET.fromstring(svg).iter(f"{SVG}text"))  # noqa: S314
    assert "Means put" in texts and "away?" in texts and "Low" in texts
    assert "Graphviz could not draw" not in svg


@requires_dot
def test_the_diagram_drops_a_lone_surrogate_instead_of_failing():
    tree = engine.Tree(
        nodes={
            "q": engine.NodeSpec("q", engine.QUESTION, "Who is \ud800calling?", root=True,
                                 options=(engine.OptionSpec("A\ud800 friend", "o"),)),
            "o": engine.NodeSpec("o", engine.OUTCOME, "Done\x01", risk_level="low", route="referral"),
        },
        risk_levels=(engine.RiskLevelSpec("low", "Low\ud800", colour="#009e73"),),
    )

    svg = diagram.render_svg(diagram.tree_to_dot(tree, title="Title \ud800\x0b v1"))

    texts = [" ".join(e.itertext()) for e in ET.fromstring(svg).iter(f"{SVG}text")]  # noqa: S314
    assert "Who is calling?" in texts and "A friend" in texts
    svg.encode("utf-8")  # nothing left that UTF-8 (or XML) cannot hold


@pytest.mark.parametrize("char", UNKEEPABLE)
def test_the_json_export_is_valid_and_imports_again_whatever_older_rows_hold(client, member, version, char):
    _poison(version, char)
    client.force_login(member)

    response = client.get(f"{BASE}/versions/{version.pk}/export.json")

    assert response.status_code == 200
    document = json.loads(response.content)
    means = next(n for n in document["nodes"] if n["key"] == KEY)
    # Word's line break is a line break; the others are dropped.
    assert means["text"] == ("Means put\naway?" if char == "\x0b" else "Means putaway?")
    # The answers keep their wording, so the scenario that names one still matches.
    labels = [o["label"].strip() for o in means["options"]]
    assert labels == [o.label for o in next(n for n in NODES if n.key == KEY).options]
    assert char not in json.dumps(document, ensure_ascii=False)
    parsed = jsonio.parse(response.content)
    assert parsed.ok, parsed.errors


def test_the_json_export_drops_a_lone_surrogate():
    text = jsonio.document_json({"protocol": {"name": "County \ud800triage"}, "nodes": [{"te\ud800xt": "x"}]})

    assert json.loads(text.encode("utf-8")) == {"protocol": {"name": "County triage"}, "nodes": [{"text": "x"}]}


@pytest.mark.parametrize("char", UNKEEPABLE)
def test_the_pages_show_older_rows_without_a_server_error(client, viewer, version, char):
    _poison(version, char)
    client.force_login(viewer)
    for page in ("", f"protocols/{version.protocol_id}/", f"versions/{version.pk}/",
                 f"versions/{version.pk}/scenarios/", f"versions/{version.pk}/matrix/",
                 f"versions/{version.pk}/simulate/", f"versions/{version.pk}/simulate/?line=988&path=0"):
        assert client.get(f"{BASE}/{page}").status_code == 200, page
    # In crisis, no medical emergency, a firearm at home: the question whose rows were written above.
    response = client.get(f"{BASE}/versions/{version.pk}/simulate/?line=988&path=0.1.1")
    assert response.status_code == 200 and f'data-node="{KEY}"' in response.content.decode()


# --- Forms ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x01", "\x1b"])
def test_forms_refuse_control_characters_with_a_message_and_keep_what_was_typed(client, member, version, char):
    node = Node.objects.get(version=version, key=KEY)
    client.force_login(member)

    response = client.post(f"{BASE}/nodes/{node.pk}/edit/", {"text": f"Will{char} the means be put away now?"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "This text contains a character that cannot be kept in documents" in page
    assert "the means be put away now?" in page  # what was typed stays in the form
    node.refresh_from_db()
    assert node.text == TEXT


def test_forms_turn_words_line_break_into_a_space_or_a_newline(client, member, version):
    node = Node.objects.get(version=version, key=KEY)
    client.force_login(member)

    response = client.post(f"{BASE}/nodes/{node.pk}/edit/",
                           {"text": "Will the means\x0bbe put away?", "guidance": "Listen.\x0bThen ask."})

    assert response.status_code == 302
    node.refresh_from_db()
    assert (node.text, node.guidance) == ("Will the means be put away?", "Listen.\nThen ask.")


def test_the_protocol_and_scenario_forms_refuse_control_characters_too(client, member, version):
    client.force_login(member)

    created = client.post(f"{BASE}/protocols/new/", {"name": "Bad\x01name"})
    scenario = client.post(f"{BASE}/versions/{version.pk}/scenarios/new/", {
        "name": "Bad\x1bcall", f"answer__{KEY}": MEANS_SCENARIO[1][KEY], "line": "988", "expected_risk_level": "low",
        "expected_route": "988_remote"})

    assert created.status_code == 400 and scenario.status_code == 400
    assert "cannot be kept in documents" in created.content.decode()
    assert "cannot be kept in documents" in scenario.content.decode()
    assert Protocol.objects.count() == 1
