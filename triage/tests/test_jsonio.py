"""Protocol files (triage.jsonio): export, round trip, and hostile or malformed input rejected cleanly."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from triage import jsonio, services
from triage.defaults import EXAMPLE_SCENARIOS
from triage.models import Node, Option, Protocol, ProtocolVersion, RiskLevel, Scenario, VersionStatus

pytestmark = pytest.mark.django_db

MODELS = (Protocol, ProtocolVersion, Node, Option, RiskLevel, Scenario)


@pytest.fixture
def version(coordinator, workgroup):
    protocol = services.protocol_create(actor=coordinator, workgroup=workgroup, name="Riverbend call triage",
                                        description="Agreed by the county's 911 and 988 partners.",
                                        scenarios=EXAMPLE_SCENARIOS)
    return protocol.versions.get()


@pytest.fixture
def document(version) -> dict:
    return json.loads(jsonio.dumps(version))


def encode(doc) -> bytes:
    return json.dumps(doc).encode()


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


def assert_rejected(data: bytes, expected: str, actor, workgroup) -> list[str]:
    """The file is refused with a message containing ``expected``, and nothing is written."""
    before = counts()
    parsed = jsonio.parse(data)
    assert parsed.tree is None and not parsed.ok
    assert any(expected in error for error in parsed.errors), parsed.errors
    with pytest.raises(ValidationError, match="nothing was imported"):
        jsonio.import_protocol(actor=actor, workgroup=workgroup, parsed=parsed)
    assert counts() == before
    return parsed.errors


# --- Export and round trip ----------------------------------------------------------------------------


def test_export_names_the_schema_and_carries_keys_not_ids(version, document):
    assert document["schema"] == jsonio.SCHEMA_ID and document["schema_version"] == 1
    assert document["protocol"] == {"name": "Riverbend call triage",
                                    "description": "Agreed by the county's 911 and 988 partners."}
    assert document["version"]["number"] == 1 and document["version"]["status"] == "draft"
    assert [level["key"] for level in document["risk_levels"]] == ["low", "mild", "moderate", "higher"]
    root = document["nodes"][0]
    assert root["key"] == "medical" and root["root"] is True
    assert root["options"][0] == {"label": "Yes", "next": "out-medical", "criteria": {"medical_emergency": True}}
    assert len(document["scenarios"]) == len(EXAMPLE_SCENARIOS)
    text = jsonio.dumps(version)
    assert '"id"' not in text and '"pk"' not in text and '"workgroup"' not in text


def test_a_round_trip_into_another_workgroup_gives_the_identical_file(version, outsider, other_workgroup):
    exported = jsonio.dumps(version)
    parsed = jsonio.parse(exported.encode())
    assert parsed.errors == []
    imported = jsonio.import_protocol(actor=outsider, workgroup=other_workgroup, parsed=parsed)
    assert imported.workgroup == other_workgroup
    new_version = imported.versions.get()
    assert Node.objects.filter(version=new_version).exclude(workgroup=other_workgroup).count() == 0
    assert jsonio.dumps(new_version) == exported


def test_an_approved_version_imports_as_a_v1_draft_and_only_number_and_status_differ(
        version, coordinator, workgroup):
    ProtocolVersion.objects.filter(pk=version.pk).update(number=3, status=VersionStatus.APPROVED)
    version.refresh_from_db()
    exported = json.loads(jsonio.dumps(version))
    imported = jsonio.import_protocol(actor=coordinator, workgroup=workgroup,
                                      parsed=jsonio.parse(encode(exported)))
    new_version = imported.versions.get()
    assert (new_version.number, new_version.status) == (1, VersionStatus.DRAFT)
    again = json.loads(jsonio.dumps(new_version))
    assert again["protocol"]["name"] == "Riverbend call triage (imported)"
    for doc in (exported, again):
        del doc["protocol"]["name"], doc["version"]["number"], doc["version"]["status"]
    assert again == exported


def test_a_taken_name_gets_imported_suffixes(version, coordinator, workgroup):
    data = jsonio.dumps(version).encode()
    names = [jsonio.import_protocol(actor=coordinator, workgroup=workgroup, parsed=jsonio.parse(data)).name
             for _ in range(2)]
    assert names == ["Riverbend call triage (imported)", "Riverbend call triage (imported 2)"]
    chosen = jsonio.import_protocol(actor=coordinator, workgroup=workgroup, parsed=jsonio.parse(data),
                                    name="  Shared by Lakeside ")
    assert chosen.name == "Shared by Lakeside"


def test_brackets_inside_strings_do_not_count_as_nesting(document, coordinator, workgroup):
    document["protocol"]["description"] = "[" * 5000 + "{" * 5000
    parsed = jsonio.parse(encode(document))
    assert parsed.errors == []
    assert jsonio.import_protocol(actor=coordinator, workgroup=workgroup, parsed=parsed,
                                  name="Brackets").description.startswith("[[[")


def test_a_viewer_cannot_import_even_a_clean_file(document, viewer, workgroup):
    before = counts()
    with pytest.raises(PermissionDenied):
        jsonio.import_protocol(actor=viewer, workgroup=workgroup, parsed=jsonio.parse(encode(document)))
    assert counts() == before


def test_an_imported_protocol_cannot_land_in_a_workgroup_the_actor_is_not_in(document, outsider, workgroup):
    before = counts()
    with pytest.raises(PermissionDenied):
        jsonio.import_protocol(actor=outsider, workgroup=workgroup, parsed=jsonio.parse(encode(document)))
    assert counts() == before


# --- Malformed and hostile files --------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "expected"), [
    (b"{not json", "not valid JSON"),
    (b"", "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[]", "must hold one JSON object, not a list"),
    (b'"text"', "must hold one JSON object, not a string"),
    (b'{"schema": "something-else", "schema_version": 1}', "not a triage protocol file"),
    (b"[" * 100_000, "more than 20 levels deep"),
    (b'{"a":' * 100_000, "more than 20 levels deep"),
    (b"[" * 21 + b"]" * 21, "more than 20 levels deep"),
    (b'{"schema": 1, "schema": 2}', "appears twice"),
    (b'{"schema_version": NaN}', "not a number JSON allows"),
    (b'{"n": ' + b"9" * 5000 + b"}", "not valid JSON"),
], ids=["garbage", "empty", "not-utf8", "list", "string", "wrong-schema", "deep-lists", "deep-objects",
        "just-too-deep", "duplicate-names", "nan", "huge-integer"])
def test_files_that_are_not_protocols_are_rejected(data, expected, coordinator, workgroup):
    assert_rejected(data, expected, coordinator, workgroup)


@pytest.mark.parametrize("schema_version", [2, 0, "1", True, 1.0, None])
def test_unknown_schema_versions_are_refused(document, schema_version, coordinator, workgroup):
    document["schema_version"] = schema_version
    assert_rejected(encode(document), "is not supported", coordinator, workgroup)


def test_a_10_mb_file_is_refused_without_being_decoded(document, coordinator, workgroup):
    document["protocol"]["description"] = "x" * 10_000_000
    errors = assert_rejected(encode(document), "larger than 1 MB", coordinator, workgroup)
    assert len(errors) == 1


def test_a_cycle_in_the_tree_is_refused(document, coordinator, workgroup):
    document["nodes"][3]["options"][0]["next"] = "medical"  # bh-primary → back to the first question
    assert_rejected(encode(document), "loops back on itself", coordinator, workgroup)


def mutate(doc: dict, path: str, value) -> dict:
    """Set doc[...] along a dotted path with [i] indices, e.g. "nodes[3].options[1].next"."""
    target, parts = doc, path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    target[int(last) if last.isdigit() else last] = value
    return doc


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("nodes[3].options[1].next", 5, "nodes[3].options[1].next must be a string, not a number."),
    ("nodes[3].options[1].next", None, "nodes[3].options[1].next must be a string, not null."),
    ("nodes[3].options[1].label", ["No"], "nodes[3].options[1].label must be a string, not a list."),
    ("nodes[3].options", {"label": "Yes"}, "nodes[3].options must be a list, not an object."),
    ("nodes[0].root", "yes", "nodes[0].root must be true or false, not a string."),
    ("nodes[0].text", None, "nodes[0].text must be a string, not null."),
    ("nodes[0].text", "  ", "nodes[0].text must not be empty."),
    ("nodes[0].text", "x" * 301, "nodes[0].text is 301 characters long; at most 300 are allowed."),
    ("nodes[0].guidance", "a\x00b", "nodes[0].guidance: This text contains a character that cannot be kept"),
    ("nodes[0].text", "a\x1bb", "nodes[0].text: This text contains a character that cannot be kept"),
    ("nodes[2].options[0].label", "a\ud800b", "nodes[2].options[0].label: This text contains a broken character"),
    ("nodes[0].kind", "note", "nodes[0].kind “note” must be one of: question, outcome."),
    ("nodes[0].key", "has space", "nodes[0].key “has space” must use only letters"),
    ("nodes[16].route", "police", "nodes[16].route “police” must be one of"),
    ("nodes[16].risk_level", 3, "nodes[16].risk_level must be a string, not a number."),
    ("nodes[0].risk_level", "extreme", "nodes[0].risk_level “extreme” is not the key of one of the risk_levels."),
    ("nodes[0].options[0].criteria", ["weapon_present"], "nodes[0].options[0].criteria must be an object"),
    ("nodes[0].options[0].criteria.medical_emergency", "yes",
     "nodes[0].options[0].criteria.medical_emergency must be true or false, not a string."),
    ("nodes[0].options[0].criteria.unheard_of", True, "sets an unknown criterion “unheard_of”"),
    ("nodes[5]", "caller", "nodes[5] must be an object, not a string."),
    ("nodes", {}, "nodes must be a list, not an object."),
    ("risk_levels[0].colour", "red", "risk_levels[0].colour “red” must be a colour like #1f77b4."),
    ("risk_levels[0].colour", "#12345g", "must be a colour like #1f77b4."),
    ("risk_levels[0].name", 7, "risk_levels[0].name must be a string, not a number."),
    ("risk_levels", "low, high", "risk_levels must be a list, not a string."),
    ("criteria[0].key", "weapon present!", "criteria[0].key “weapon present!” must use only letters"),
    ("criteria[0]", ["medical_emergency", "Medical"], "criteria[0] must be an object, not a list."),
    ("protocol", "Riverbend", "protocol must be an object, not a string."),
    ("protocol.name", "", "protocol.name must not be empty."),
    ("version.number", "1", "version.number must be a whole number of 1 or more."),
    ("version.number", True, "version.number must be a whole number of 1 or more."),
    ("version.status", "in force", "version.status “in force” must be one of"),
    ("version.reassessment_guidance", "", "Add reassessment guidance"),
    ("version.change_summary", 3.5, "version.change_summary must be a string, not a number."),
    ("scenarios[0].answers", [["medical", "Yes"]], "scenarios[0].answers must be an object, not a list."),
    ("scenarios[0].answers.medical", True, "scenarios[0].answers.medical must be a string, not true/false."),
    ("scenarios[0].expected_route", "police", "scenarios[0].expected_route “police” must be one of"),
    ("scenarios[0].expected_risk_level", "extreme", "expected_risk_level “extreme” is not the key"),
    ("scenarios", {"name": "x"}, "scenarios must be a list, not an object."),
])
def test_wrong_types_and_values_are_reported_with_their_path(document, path, value, expected, coordinator,
                                                              workgroup):
    assert_rejected(encode(mutate(document, path, value)), expected, coordinator, workgroup)


@pytest.mark.parametrize(("path", "expected"), [
    ("id", "The file has an unknown field “id”."),
    ("workgroup", "The file has an unknown field “workgroup”."),
    ("protocol.id", "protocol has an unknown field “id”."),
    ("version.workgroup", "version has an unknown field “workgroup”."),
    ("nodes[2].id", "nodes[2] has an unknown field “id”."),
    ("nodes[2].options[0].pk", "nodes[2].options[0] has an unknown field “pk”."),
    ("nodes[2].options[0].next_node", "nodes[2].options[0] has an unknown field “next_node”."),
    ("risk_levels[1].workgroup", "risk_levels[1] has an unknown field “workgroup”."),
    ("criteria[0].order", "criteria[0] has an unknown field “order”."),
    ("scenarios[0].version", "scenarios[0] has an unknown field “version”."),
])
def test_unknown_fields_including_ids_are_refused(document, path, expected, coordinator, workgroup):
    assert_rejected(encode(mutate(document, path, 1)), expected, coordinator, workgroup)


def test_a_node_id_of_another_workgroup_leads_nowhere(document, outsider, other_workgroup, coordinator, workgroup):
    theirs = services.protocol_create(actor=outsider, workgroup=other_workgroup, name="Elsewhere secret")
    secret_pk = Node.objects.filter(workgroup=other_workgroup).first().pk
    document["nodes"][3]["options"][0]["next"] = secret_pk
    assert_rejected(encode(document), "next must be a string, not a number", coordinator, workgroup)
    document["nodes"][3]["options"][0]["next"] = str(secret_pk)
    assert_rejected(encode(document), "leads to a step that does not exist", coordinator, workgroup)
    assert theirs.versions.get().nodes.count() == Node.objects.filter(workgroup=other_workgroup).count()


def test_missing_fields_are_named_once(document, coordinator, workgroup):
    del document["nodes"][1]["text"], document["protocol"]
    errors = assert_rejected(encode(document), "nodes[1] is missing the field “text”.", coordinator, workgroup)
    assert "The file is missing the field “protocol”." in errors
    assert len(errors) == 2


@pytest.mark.parametrize(("collection", "field", "expected"), [
    ("nodes", "key", "nodes: the key “medical” is used more than once."),
    ("risk_levels", "key", "risk_levels: the key “low” is used more than once."),
    ("criteria", "key", "criteria: the key “medical_emergency” is used more than once."),
    ("scenarios", "name", "is used more than once."),
])
def test_duplicate_keys_are_refused(document, collection, field, expected, coordinator, workgroup):
    clone = copy.deepcopy(document[collection][0])
    if collection == "scenarios":
        clone[field] = clone[field].upper()  # scenario names clash ignoring case
    document[collection].append(clone)
    assert_rejected(encode(document), expected, coordinator, workgroup)


def test_a_scenario_naming_a_missing_question_is_refused(document, coordinator, workgroup):
    document["scenarios"][0]["answers"]["ghost"] = "Yes"
    assert_rejected(encode(document), "answers names “ghost”, which is not a question in this file",
                    coordinator, workgroup)


def test_a_scenario_answering_an_outcome_or_with_an_unknown_label_is_refused(document, coordinator, workgroup):
    document["scenarios"][0]["answers"]["out-medical"] = "Yes"
    document["scenarios"][1]["answers"]["medical"] = "Perhaps"
    errors = assert_rejected(encode(document), "answers names “out-medical”", coordinator, workgroup)
    assert any("answers.medical “Perhaps” is not one of the answers" in e for e in errors)


def test_scenario_labels_match_ignoring_case(document, coordinator, workgroup):
    document["scenarios"][0]["answers"] = {"medical": "  yes"}
    assert jsonio.parse(encode(document)).errors == []


def test_a_structurally_invalid_tree_lists_the_engine_errors(document, coordinator, workgroup):
    document["nodes"][0]["root"] = False
    document["nodes"].append({"key": "orphan", "kind": "outcome", "text": "Orphan", "risk_level": "low",
                              "route": "referral"})
    errors = assert_rejected(encode(document), "There is no first question", coordinator, workgroup)
    assert len(errors) == 1  # reachability is only judged once there is one root


def test_a_file_with_a_flood_of_problems_lists_only_the_first_ones(document, coordinator, workgroup):
    for node in document["nodes"]:
        node["id"] = 1
        node["kind"] = "?"
    errors = assert_rejected(encode(document), "Stopped after 50 problems", coordinator, workgroup)
    assert len(errors) == jsonio.MAX_ERRORS + 1


def test_long_hostile_names_are_shortened_in_messages(document, coordinator, workgroup):
    document["x" * 10_000] = 1
    errors = assert_rejected(encode(document), "The file has an unknown field", coordinator, workgroup)
    assert max(len(e) for e in errors) < 200


def test_too_many_nodes_are_refused(document, coordinator, workgroup):
    document["nodes"] = [{"key": f"n{i}", "kind": "question", "text": "Q"} for i in range(jsonio.MAX_NODES + 1)]
    assert_rejected(encode(document), "nodes has 501 entries; at most 500 are allowed.", coordinator, workgroup)


def test_the_documented_example_imports_cleanly(coordinator, workgroup, settings):
    from pathlib import Path

    text = (Path(settings.BASE_DIR) / "docs" / "triage-protocol-schema.md").read_text()
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    parsed = jsonio.parse(example.encode())
    assert parsed.errors == []
    protocol = jsonio.import_protocol(actor=coordinator, workgroup=workgroup, parsed=parsed)
    assert protocol.versions.get().status == VersionStatus.DRAFT


def test_a_string_that_never_closes_is_refused_quickly_not_in_quadratic_time():
    import time

    from triage import jsonio

    start = time.perf_counter()
    parsed = jsonio.parse(b'"' + b'\\"' * 400_000)  # 800 KB: within the size limit

    assert parsed.errors  # not valid JSON
    assert time.perf_counter() - start < 5  # a generous bound; the old scan took ~45 minutes on such a file
