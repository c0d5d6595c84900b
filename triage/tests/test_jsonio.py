"""Protocol files (triage.jsonio): export, round trip, version 1 and 2, and hostile or malformed input rejected cleanly.

Parse-only tests work on a small two-line protocol written here (no database); the round trips also use the
default tree, counted from ``triage.defaults`` rather than by hand (it grows).
"""

from __future__ import annotations

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from triage import engine, jsonio, services
from triage.defaults import EXAMPLE_SCENARIOS, default_tree
from triage.models import Node, Option, Protocol, ProtocolVersion, RiskLevel, SafetyRule, Scenario, VersionStatus

MODELS = (Protocol, ProtocolVersion, Node, Option, RiskLevel, Scenario, SafetyRule)

CAD = "Lakeside PSAP CAD disposition"
CENTER = "Lakeside 988 center disposition"


def question(key: str, text: str, *options: dict, root: bool = False, line: str = "") -> dict:
    return {"key": key, "kind": "question", "text": text, "guidance": "", "root": root, "line": line,
            "options": list(options), "risk_level": "", "route": "", "actions": "", "codes": []}


def outcome(key: str, text: str, level: str, route: str, *codes: tuple[str, str]) -> dict:
    return {"key": key, "kind": "outcome", "text": text, "guidance": "", "root": False, "line": "", "options": [],
            "risk_level": level, "route": route, "actions": "Document the reason.",
            "codes": [{"system": system, "code": code} for system, code in codes]}


def answer(label: str, next_key: str, **criteria: bool) -> dict:
    return {"label": label, "next": next_key, "criteria": criteria}


def rule(name: str, kind: str, **fields) -> dict:
    return {"name": name, "kind": kind, "when": {}, "line": "", "levels": [], "routes": [], "criterion": "",
            "criterion_yes": False, **fields}


def scenario(name: str, line: str, answers: dict, level: str, route: str) -> dict:
    return {"name": name, "line": line, "answers": answers, "expected_risk_level": level, "expected_route": route}


def small_document() -> dict:
    """A valid schema-2 file with every field: a first question per line, codes, rules, an out-of-scope outcome.
    Positions used below: nodes[0] and [3] are the first questions, [1] a question, [5] an outcome with codes."""
    return {
        "schema": jsonio.SCHEMA_ID, "schema_version": 2,
        "protocol": {"name": "Lakeside triage", "description": "Shared by the Lakeside partners."},
        "version": {"number": 1, "status": "draft", "change_summary": "First draft",
                    "reassessment_guidance": "Reassess at every hand-off."},
        "risk_levels": [
            {"key": "mild", "name": "Mild", "description": "", "default_response": "", "responder_types": "",
             "colour": "#56b4e9"},
            {"key": "higher", "name": "Higher", "description": "", "default_response": "", "responder_types": "",
             "colour": "#d55e00"},
        ],
        "criteria": [{"key": "weapon_present", "label": "Weapon present"},
                     {"key": "caller_consents", "label": "Caller consents to transfer"}],
        "nodes": [
            question("911-bh", "Is a mental health crisis the main reason for the call?",
                     answer("Yes", "911-weapon"), answer("No", "out-other"), root=True, line="911"),
            question("911-weapon", "Is a weapon present?", answer("Yes", "out-weapon", weapon_present=True),
                     answer("No", "911-consent", weapon_present=False)),
            question("911-consent", "Does the caller agree to a transfer to 988?",
                     answer("Yes", "out-transfer", caller_consents=True),
                     answer("No", "out-referral", caller_consents=False)),
            question("988-weapon", "Is a weapon present?", answer("Yes", "out-988-to-911", weapon_present=True),
                     answer("No", "out-988", weapon_present=False), root=True, line="988"),
            outcome("out-other", "Not a behavioral health call", "", "out_of_scope"),
            outcome("out-weapon", "Weapon: priority response", "higher", "ems_le_with_bh",
                    (CAD, "BH-WEAPON"), ("Lakeside call type", "BH-3")),
            outcome("out-transfer", "Transfer to 988", "mild", "911_to_988", (CAD, "XFER-988"),
                    (CENTER, "FROM-911")),
            outcome("out-referral", "Caller declines transfer", "mild", "referral"),
            outcome("out-988-to-911", "Weapon: transfer to 911", "higher", "988_to_911", (CENTER, "XFER-911")),
            outcome("out-988", "Support from 988", "mild", "988_remote", (CENTER, "REMOTE")),
        ],
        "rules": [
            rule("Weapons get the higher level", "outcome_when", when={"weapon_present": True}, levels=["higher"]),
            rule("Transfers to 988 record consent", "route_records", routes=["911_to_988"],
                 criterion="caller_consents", criterion_yes=True),
            rule("988 sends calls to 911 only for weapons", "route_only_when", when={"weapon_present": True},
                 routes=["988_to_911"]),
        ],
        "scenarios": [  # in name order, as exports list them
            scenario("911 caller agrees to 988", "911", {"911-bh": "Yes", "911-weapon": "No", "911-consent": "Yes"},
                     "mild", "911_to_988"),
            scenario("911 caller with a weapon", "911", {"911-bh": "Yes", "911-weapon": "Yes"}, "higher",
                     "ems_le_with_bh"),
            scenario("988 caller without a weapon", "988", {"988-weapon": "No"}, "mild", "988_remote"),
            scenario("A fire reported on 911", "911", {"911-bh": "No"}, "", "out_of_scope"),
        ],
    }


def as_version_1(doc: dict) -> dict:
    """The same protocol as a version-1 file: one first question for both lines, no codes, rules or lines."""
    doc = copy.deepcopy(doc)
    doc["schema_version"] = 1
    del doc["rules"]
    dropped = {"988-weapon", "out-988-to-911", "out-988"}
    doc["nodes"] = [node for node in doc["nodes"] if node["key"] not in dropped]
    for node in doc["nodes"]:
        del node["line"], node["codes"]
    doc["scenarios"] = [s for s in doc["scenarios"] if s["line"] != "988"]
    for item in doc["scenarios"]:
        del item["line"]
    return doc


@pytest.fixture
def doc() -> dict:
    return small_document()


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


def parse_errors(doc) -> list[str]:
    parsed = jsonio.parse(encode(doc))
    assert parsed.tree is None and not parsed.ok
    return parsed.errors


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


def mutate(doc: dict, path: str, value) -> dict:
    """Set doc[...] along a dotted path with [i] indices, e.g. "nodes[3].options[1].next"."""
    target, parts = doc, path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    target[int(last) if last.isdigit() else last] = value
    return doc


# --- Parse: the new fields of version 2 (no database) ---------------------------------------------------


def test_the_small_file_parses_with_its_lines_codes_rules_and_scenario_lines(doc):
    parsed = jsonio.parse(encode(doc))
    assert parsed.errors == [] and parsed.ok
    tree = parsed.tree
    assert [(line, node.key) for line, node in tree.entries] == [("911", "911-bh"), ("988", "988-weapon")]
    assert tree.nodes["out-weapon"].codes == ((CAD, "BH-WEAPON"), ("Lakeside call type", "BH-3"))
    assert tree.nodes["911-weapon"].codes == () and tree.nodes["911-weapon"].line == ""
    assert [r.name for r in tree.rules] == [r["name"] for r in doc["rules"]]
    assert tree.rules[1] == engine.RuleSpec("Transfers to 988 record consent", "route_records",
                                            routes=("911_to_988",), criterion="caller_consents", criterion_yes=True)
    assert tree.rules[2].routes == ("988_to_911",) and tree.rules[0].when == {"weapon_present": True}
    assert parsed.scenarios[0] == ("911 caller agrees to 988", {"911-bh": "Yes", "911-weapon": "No",
                                                                "911-consent": "Yes"}, "mild", "911_to_988", "911")
    assert parsed.scenarios[3][2:] == ("", "out_of_scope", "911")
    assert engine.breaches(tree) == []


def test_a_version_1_file_still_parses_with_empty_lines_codes_and_rules(doc):
    parsed = jsonio.parse(encode(as_version_1(doc)))
    assert parsed.errors == []
    assert [node.key for node in parsed.tree.roots] == ["911-bh"] and parsed.tree.roots[0].line == ""
    assert parsed.tree.rules == () and all(node.codes == () for node in parsed.tree.nodes.values())
    assert all(len(s) == 5 and s[4] == "" for s in parsed.scenarios)


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("nodes[0].line", "911", "nodes[0] has an unknown field “line” in schema_version 1"),
    ("nodes[4].codes", [{"system": CAD, "code": "X"}], "nodes[4] has an unknown field “codes”"),
    ("rules", [], "The file has an unknown field “rules”"),
    ("scenarios[0].line", "911", "scenarios[0] has an unknown field “line”"),
])
def test_a_version_1_file_with_fields_of_version_2_is_refused(doc, path, value, expected):
    assert any(expected in error for error in parse_errors(mutate(as_version_1(doc), path, value)))


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("nodes[1].line", "911", "nodes[1].line is only for a first question (“root”: true)"),
    ("nodes[0].line", "112", "nodes[0].line “112” must be one of: 911, 988."),
    ("nodes[0].line", 911, "nodes[0].line must be a string, not a number."),
    ("nodes[3].line", "911", "are both the first question for calls on 911"),
    ("nodes[3].line", "", "with more than one, each must say which line's calls (911 or 988) start there"),
    ("nodes[1].codes", [{"system": CAD, "code": "X"}], "nodes[1].codes: only outcomes carry codes; this node is a"),
    ("nodes[5].codes", {"system": CAD, "code": "X"}, "nodes[5].codes must be a list, not an object."),
    ("nodes[5].codes[0].code", " ", "nodes[5].codes[0].code must not be empty."),
    ("nodes[5].codes[1].system", "", "nodes[5].codes[1].system must not be empty."),
    ("nodes[5].codes[0].code", "x" * 61, "nodes[5].codes[0].code is 61 characters long; at most 60"),
    ("nodes[5].codes[0].system", "x" * 121, "nodes[5].codes[0].system is 121 characters long; at most 120"),
    ("nodes[5].codes[0].code", 7, "nodes[5].codes[0].code must be a string, not a number."),
    ("nodes[5].codes[0].id", 7, "nodes[5].codes[0] has an unknown field “id”."),
    ("nodes[5].codes[1]", {"system": CAD, "code": "BH-WEAPON"},
     "nodes[5].codes[1]: the code “BH-WEAPON” of “Lakeside PSAP CAD disposition” is listed twice."),
    ("nodes[5].codes", [{"system": CAD, "code": str(i)} for i in range(21)],
     "nodes[5].codes has 21 entries; at most 20 are allowed."),
    ("rules[0].kind", "always", "rules[0].kind “always” must be one of: outcome_when, route_only_when, "
                                "route_records."),
    ("rules[0].when", {"unheard_of": True}, "rules[0].when names “unheard_of”, which is not the key of one of the "
                                            "criteria."),
    ("rules[0].when", {"weapon_present": "yes"}, "rules[0].when.weapon_present must be true or false"),
    ("rules[0].when", [], "rules[0].when must be an object, not a list."),
    ("rules[0].levels", ["extreme"], "rules[0].levels[0] “extreme” is not the key of one of the risk_levels."),
    ("rules[0].levels", ["higher", "higher"], "rules[0].levels: the value “higher” is used more than once."),
    ("rules[1].routes", ["police"], "rules[1].routes[0] “police” must be one of"),
    ("rules[1].routes", "911_to_988", "rules[1].routes must be a list, not a string."),
    ("rules[1].criterion", "unheard_of", "rules[1].criterion “unheard_of” is not the key of one of the criteria."),
    ("rules[1].criterion_yes", "yes", "rules[1].criterion_yes must be true or false, not a string."),
    ("rules[2].line", "112", "rules[2].line “112” must be one of: 911, 988."),
    ("rules[0].name", " ", "rules[0].name must not be empty."),
    ("rules[0].name", "x" * 201, "rules[0].name is 201 characters long; at most 200"),
    ("rules[0].workgroup", 1, "rules[0] has an unknown field “workgroup”."),
    ("rules", [rule(f"Rule {i}", "outcome_when") for i in range(51)], "rules has 51 entries; at most 50"),
    ("scenarios[0].expected_risk_level", "",
     "scenarios[0].expected_risk_level must not be empty unless expected_route is “out_of_scope”."),
    ("scenarios[0].line", "112", "scenarios[0].line “112” must be one of: 911, 988."),
])
def test_new_fields_with_wrong_values_are_reported_with_their_path(doc, path, value, expected):
    errors = parse_errors(mutate(doc, path, value))
    assert any(expected in error for error in errors), errors


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("rules[0].when", {}, "rules[0]: The safety rule “Weapons get the higher level” needs at least one condition."),
    ("rules[0].levels", [], "rules[0]: The safety rule “Weapons get the higher level” must allow some risk levels"),
    ("rules[2].routes", [], "rules[2]: The safety rule “988 sends calls to 911 only for weapons” needs the routes"),
    ("rules[1].criterion", "", "rules[1]: The safety rule “Transfers to 988 record consent” needs a criterion"),
])
def test_rules_the_engine_cannot_check_are_reported_with_their_path(doc, path, value, expected):
    errors = parse_errors(mutate(doc, path, value))
    assert any(error.startswith(expected) for error in errors), errors


@pytest.mark.parametrize(("path", "value", "field", "kind"), [
    ("rules[0].criterion_yes", True, "criterion_yes", "outcome_when"),
    ("rules[1].line", "911", "line", "route_records"),
    ("rules[2].line", "988", "line", "route_only_when"),
])
def test_a_rule_field_its_kind_ignores_is_refused_rather_than_imported_to_do_nothing(doc, path, value, field, kind):
    assert doc["rules"][int(path[6])]["kind"] == kind
    errors = parse_errors(mutate(doc, path, value))
    assert f"{path.split('.')[0]}.{field} is not used by a rule of kind “{kind}”; leave it out." in errors


def test_rule_names_must_differ_ignoring_case(doc):
    doc["rules"].append(dict(doc["rules"][0], name="WEAPONS GET THE HIGHER LEVEL"))
    assert "rules: the name “WEAPONS GET THE HIGHER LEVEL” is used more than once." in parse_errors(doc)


def test_a_file_whose_paths_break_a_rule_still_imports_like_a_failing_scenario(doc):
    doc["nodes"][5]["risk_level"] = "mild"  # a weapon, yet Mild: the draft shows the breach and cannot go to review
    parsed = jsonio.parse(encode(doc))
    assert parsed.errors == []
    assert [breach.rule.name for breach in engine.breaches(parsed.tree)] == ["Weapons get the higher level"]


def test_only_an_out_of_scope_scenario_may_leave_the_risk_level_empty(doc):
    doc["scenarios"][3]["expected_route"] = "referral"
    assert parse_errors(doc) == ["scenarios[3].expected_risk_level must not be empty unless expected_route is "
                                 "“out_of_scope”."]


# --- Export and round trip ----------------------------------------------------------------------------


def test_export_names_the_schema_and_carries_keys_not_ids(version, document):
    tree = default_tree()
    assert document["schema"] == jsonio.SCHEMA_ID and document["schema_version"] == jsonio.SCHEMA_VERSION == 2
    assert document["protocol"] == {"name": "Riverbend call triage",
                                    "description": "Agreed by the county's 911 and 988 partners."}
    assert document["version"]["number"] == 1 and document["version"]["status"] == "draft"
    assert [level["key"] for level in document["risk_levels"]] == [level.key for level in tree.risk_levels]
    assert [node["key"] for node in document["nodes"]] == list(tree.nodes)
    for node in document["nodes"]:
        spec = tree.nodes[node["key"]]
        assert (node["root"], node["line"]) == (spec.root, spec.line if spec.root else "")
        assert node["options"] == [{"label": o.label, "next": o.next, "criteria": o.criteria} for o in spec.options]
        assert node["codes"] == [{"system": system, "code": code} for system, code in spec.codes]
    assert [rule["name"] for rule in document["rules"]] == [rule.name for rule in tree.rules]
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
    assert new_version.nodes.count() == len(default_tree().nodes)
    assert jsonio.dumps(new_version) == exported


def test_codes_rules_and_lines_round_trip_byte_for_byte(doc, coordinator, workgroup, outsider, other_workgroup):
    protocol = jsonio.import_protocol(actor=coordinator, workgroup=workgroup, parsed=jsonio.parse(encode(doc)))
    version = protocol.versions.get()
    assert list(version.rules.values_list("name", flat=True)) == [r["name"] for r in doc["rules"]]
    stored = version.nodes.get(key="out-weapon")
    assert stored.codes == [{"system": CAD, "code": "BH-WEAPON"}, {"system": "Lakeside call type", "code": "BH-3"}]
    assert version.nodes.get(key="988-weapon").entry_line == "988"
    assert version.scenarios.get(name="988 caller without a weapon").line == "988"
    exported = jsonio.dumps(version)
    assert exported == jsonio.document_json(doc)  # every field as written, in the same order
    again = jsonio.import_protocol(actor=outsider, workgroup=other_workgroup, parsed=jsonio.parse(exported.encode()))
    assert jsonio.dumps(again.versions.get()) == exported
    assert jsonio.dumps(version) == exported  # the same version always gives the same bytes


def test_codes_on_the_default_tree_are_exported_per_outcome_and_come_back(version, outsider, other_workgroup):
    outcomes = list(version.nodes.filter(kind="outcome").order_by("order"))
    for index, node in enumerate(outcomes):
        node.codes = [{"system": CAD, "code": f"BH-{index}"}, {"system": CENTER, "code": f"D{index}"}]
        node.save()
    exported = jsonio.dumps(version)
    by_key = {node["key"]: node for node in json.loads(exported)["nodes"]}
    for index, node in enumerate(outcomes):
        assert by_key[node.key]["codes"] == [{"code": f"BH-{index}", "system": CAD},
                                             {"code": f"D{index}", "system": CENTER}]
    assert all(node["codes"] == [] for node in by_key.values() if node["kind"] == "question")
    parsed = jsonio.parse(exported.encode())
    assert parsed.errors == []
    imported = jsonio.import_protocol(actor=outsider, workgroup=other_workgroup, parsed=parsed)
    assert jsonio.dumps(imported.versions.get()) == exported


def test_a_version_1_file_imports_and_exports_as_version_2(doc, coordinator, workgroup):
    old = as_version_1(doc)
    protocol = jsonio.import_protocol(actor=coordinator, workgroup=workgroup, parsed=jsonio.parse(encode(old)))
    exported = json.loads(jsonio.dumps(protocol.versions.get()))
    assert exported["schema_version"] == 2 and exported["rules"] == []
    assert all(node["line"] == "" and node["codes"] == [] for node in exported["nodes"])
    assert all(s["line"] == "" for s in exported["scenarios"])
    for node in exported["nodes"]:
        del node["line"], node["codes"]
    for item in exported["scenarios"]:
        del item["line"]
    del exported["rules"]
    assert exported == dict(old, schema_version=2)


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


def test_brackets_inside_strings_do_not_count_as_nesting(doc, coordinator, workgroup):
    doc["protocol"]["description"] = "[" * 5000 + "{" * 5000
    parsed = jsonio.parse(encode(doc))
    assert parsed.errors == []
    assert jsonio.import_protocol(actor=coordinator, workgroup=workgroup, parsed=parsed,
                                  name="Brackets").description.startswith("[[[")


def test_a_viewer_cannot_import_even_a_clean_file(doc, viewer, workgroup):
    before = counts()
    with pytest.raises(PermissionDenied):
        jsonio.import_protocol(actor=viewer, workgroup=workgroup, parsed=jsonio.parse(encode(doc)))
    assert counts() == before


def test_an_imported_protocol_cannot_land_in_a_workgroup_the_actor_is_not_in(doc, outsider, workgroup):
    before = counts()
    with pytest.raises(PermissionDenied):
        jsonio.import_protocol(actor=outsider, workgroup=workgroup, parsed=jsonio.parse(encode(doc)))
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


@pytest.mark.parametrize("schema_version", [3, 0, "2", True, 2.0, None])
def test_unknown_schema_versions_are_refused(doc, schema_version, coordinator, workgroup):
    doc["schema_version"] = schema_version
    assert_rejected(encode(doc), "is not supported; this toolkit reads schema_version 1, 2.", coordinator, workgroup)


def test_a_10_mb_file_is_refused_without_being_decoded(doc, coordinator, workgroup):
    doc["protocol"]["description"] = "x" * 10_000_000
    errors = assert_rejected(encode(doc), "larger than 1 MB", coordinator, workgroup)
    assert len(errors) == 1


def test_a_cycle_in_the_tree_is_refused(doc, coordinator, workgroup):
    doc["nodes"][2]["options"][1]["next"] = "911-bh"  # the consent question → back to the first question
    assert_rejected(encode(doc), "loops back on itself", coordinator, workgroup)


def test_a_new_field_error_writes_nothing(doc, coordinator, workgroup):
    doc["nodes"][1]["codes"] = [{"system": CAD, "code": "X"}]
    assert_rejected(encode(doc), "nodes[1].codes: only outcomes carry codes", coordinator, workgroup)


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("nodes[1].options[1].next", 5, "nodes[1].options[1].next must be a string, not a number."),
    ("nodes[1].options[1].next", None, "nodes[1].options[1].next must be a string, not null."),
    ("nodes[1].options[1].label", ["No"], "nodes[1].options[1].label must be a string, not a list."),
    ("nodes[1].options", {"label": "Yes"}, "nodes[1].options must be a list, not an object."),
    ("nodes[0].root", "yes", "nodes[0].root must be true or false, not a string."),
    ("nodes[0].text", None, "nodes[0].text must be a string, not null."),
    ("nodes[0].text", "  ", "nodes[0].text must not be empty."),
    ("nodes[0].text", "x" * 301, "nodes[0].text is 301 characters long; at most 300 are allowed."),
    ("nodes[0].guidance", "a\x00b", "nodes[0].guidance: This text contains a character that cannot be kept"),
    ("nodes[0].text", "a\x1bb", "nodes[0].text: This text contains a character that cannot be kept"),
    ("nodes[2].options[0].label", "a\ud800b", "nodes[2].options[0].label: This text contains a broken character"),
    ("nodes[5].codes[0].code", "a\ud800b", "nodes[5].codes[0].code: This text contains a broken character"),
    ("rules[0].name", "a\x00b", "rules[0].name: This text contains a character that cannot be kept"),
    ("nodes[0].kind", "note", "nodes[0].kind “note” must be one of: question, outcome."),
    ("nodes[0].key", "has space", "nodes[0].key “has space” must use only letters"),
    ("nodes[5].route", "police", "nodes[5].route “police” must be one of"),
    ("nodes[5].risk_level", 3, "nodes[5].risk_level must be a string, not a number."),
    ("nodes[0].risk_level", "extreme", "nodes[0].risk_level “extreme” is not the key of one of the risk_levels."),
    ("nodes[1].options[0].criteria", ["weapon_present"], "nodes[1].options[0].criteria must be an object"),
    ("nodes[1].options[0].criteria.weapon_present", "yes",
     "nodes[1].options[0].criteria.weapon_present must be true or false, not a string."),
    ("nodes[1].options[0].criteria.unheard_of", True, "sets an unknown criterion “unheard_of”"),
    ("nodes[5]", "caller", "nodes[5] must be an object, not a string."),
    ("nodes", {}, "nodes must be a list, not an object."),
    ("risk_levels[0].colour", "red", "risk_levels[0].colour “red” must be a colour like #1f77b4."),
    ("risk_levels[0].colour", "#12345g", "must be a colour like #1f77b4."),
    ("risk_levels[0].name", 7, "risk_levels[0].name must be a string, not a number."),
    ("risk_levels", "low, high", "risk_levels must be a list, not a string."),
    ("criteria[0].key", "weapon present!", "criteria[0].key “weapon present!” must use only letters"),
    ("criteria[0]", ["weapon_present", "Weapon"], "criteria[0] must be an object, not a list."),
    ("protocol", "Riverbend", "protocol must be an object, not a string."),
    ("protocol.name", "", "protocol.name must not be empty."),
    ("version.number", "1", "version.number must be a whole number of 1 or more."),
    ("version.number", True, "version.number must be a whole number of 1 or more."),
    ("version.status", "in force", "version.status “in force” must be one of"),
    ("version.reassessment_guidance", "", "Add reassessment guidance"),
    ("version.change_summary", 3.5, "version.change_summary must be a string, not a number."),
    ("scenarios[0].answers", [["911-bh", "Yes"]], "scenarios[0].answers must be an object, not a list."),
    ("scenarios[0].answers.911-bh", True, "scenarios[0].answers.911-bh must be a string, not true/false."),
    ("scenarios[0].expected_route", "police", "scenarios[0].expected_route “police” must be one of"),
    ("scenarios[0].expected_risk_level", "extreme", "expected_risk_level “extreme” is not the key"),
    ("scenarios", {"name": "x"}, "scenarios must be a list, not an object."),
])
def test_wrong_types_and_values_are_reported_with_their_path(doc, path, value, expected, coordinator, workgroup):
    assert_rejected(encode(mutate(doc, path, value)), expected, coordinator, workgroup)


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
    ("rules[0].order", "rules[0] has an unknown field “order”."),
])
def test_unknown_fields_including_ids_are_refused(doc, path, expected, coordinator, workgroup):
    assert_rejected(encode(mutate(doc, path, 1)), expected, coordinator, workgroup)


def test_a_node_id_of_another_workgroup_leads_nowhere(doc, outsider, other_workgroup, coordinator, workgroup):
    theirs = services.protocol_create(actor=outsider, workgroup=other_workgroup, name="Elsewhere secret")
    secret_pk = Node.objects.filter(workgroup=other_workgroup).first().pk
    doc["nodes"][1]["options"][0]["next"] = secret_pk
    assert_rejected(encode(doc), "next must be a string, not a number", coordinator, workgroup)
    doc["nodes"][1]["options"][0]["next"] = str(secret_pk)
    assert_rejected(encode(doc), "leads to a step that does not exist", coordinator, workgroup)
    assert theirs.versions.get().nodes.count() == Node.objects.filter(workgroup=other_workgroup).count()


def test_missing_fields_are_named_once(doc, coordinator, workgroup):
    del doc["nodes"][1]["text"], doc["protocol"]
    errors = assert_rejected(encode(doc), "nodes[1] is missing the field “text”.", coordinator, workgroup)
    assert "The file is missing the field “protocol”." in errors
    assert len(errors) == 2


@pytest.mark.parametrize(("collection", "field", "expected"), [
    ("nodes", "key", "nodes: the key “911-bh” is used more than once."),
    ("risk_levels", "key", "risk_levels: the key “mild” is used more than once."),
    ("criteria", "key", "criteria: the key “weapon_present” is used more than once."),
    ("scenarios", "name", "is used more than once."),
    ("rules", "name", "rules: the name “WEAPONS GET THE HIGHER LEVEL” is used more than once."),
])
def test_duplicate_keys_are_refused(doc, collection, field, expected, coordinator, workgroup):
    clone = copy.deepcopy(doc[collection][0])
    if collection in ("scenarios", "rules"):
        clone[field] = clone[field].upper()  # scenario and rule names clash ignoring case
    doc[collection].append(clone)
    assert_rejected(encode(doc), expected, coordinator, workgroup)


def test_a_scenario_naming_a_missing_question_is_refused(doc, coordinator, workgroup):
    doc["scenarios"][0]["answers"]["ghost"] = "Yes"
    assert_rejected(encode(doc), "answers names “ghost”, which is not a question in this file", coordinator,
                    workgroup)


def test_a_scenario_answering_an_outcome_or_with_an_unknown_label_is_refused(doc, coordinator, workgroup):
    doc["scenarios"][0]["answers"]["out-weapon"] = "Yes"
    doc["scenarios"][1]["answers"]["911-bh"] = "Perhaps"
    errors = assert_rejected(encode(doc), "answers names “out-weapon”", coordinator, workgroup)
    assert any("answers.911-bh “Perhaps” is not one of the answers" in e for e in errors)


def test_scenario_labels_match_ignoring_case(doc):
    doc["scenarios"][0]["answers"] = {"911-bh": "  yes", "911-weapon": "YES"}
    assert jsonio.parse(encode(doc)).errors == []


def test_a_structurally_invalid_tree_lists_the_engine_errors(doc, coordinator, workgroup):
    for node in doc["nodes"]:
        node["root"], node["line"] = False, ""
    doc["nodes"].append(outcome("orphan", "Orphan", "mild", "referral"))
    errors = assert_rejected(encode(doc), "There is no first question", coordinator, workgroup)
    assert len(errors) == 1  # reachability is only judged once there is a first question


def test_a_file_with_a_flood_of_problems_lists_only_the_first_ones(doc, coordinator, workgroup):
    doc["nodes"] = [{"key": f"n{i}", "kind": "?", "text": "Q", "id": 1} for i in range(jsonio.MAX_ERRORS)]
    errors = assert_rejected(encode(doc), "Stopped after 50 problems", coordinator, workgroup)
    assert len(errors) == jsonio.MAX_ERRORS + 1


def test_long_hostile_names_are_shortened_in_messages(doc, coordinator, workgroup):
    doc["x" * 10_000] = 1
    doc["rules"][0]["when"] = {"y" * 10_000: True}
    errors = assert_rejected(encode(doc), "The file has an unknown field", coordinator, workgroup)
    assert max(len(e) for e in errors) < 200


def test_too_many_nodes_are_refused(doc, coordinator, workgroup):
    doc["nodes"] = [{"key": f"n{i}", "kind": "question", "text": "Q"} for i in range(jsonio.MAX_NODES + 1)]
    assert_rejected(encode(doc), "nodes has 501 entries; at most 500 are allowed.", coordinator, workgroup)


def test_the_documented_example_imports_cleanly_and_exports_the_same(coordinator, workgroup, settings):
    from pathlib import Path

    text = (Path(settings.BASE_DIR) / "docs" / "triage-protocol-schema.md").read_text()
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    parsed = jsonio.parse(example.encode())
    assert parsed.errors == []
    assert parsed.tree.rules and any(node.codes for node in parsed.tree.nodes.values())
    protocol = jsonio.import_protocol(actor=coordinator, workgroup=workgroup, parsed=parsed)
    version = protocol.versions.get()
    assert version.status == VersionStatus.DRAFT
    exported, documented = json.loads(jsonio.dumps(version)), json.loads(example)
    for doc in (exported, documented):
        del doc["version"]["number"], doc["version"]["status"]
    assert exported == documented


def test_a_string_that_never_closes_is_refused_quickly_not_in_quadratic_time():
    import time

    start = time.perf_counter()
    parsed = jsonio.parse(b'"' + b'\\"' * 400_000)  # 800 KB: within the size limit

    assert parsed.errors  # not valid JSON
    assert time.perf_counter() - start < 5  # a generous bound; the old scan took ~45 minutes on such a file
