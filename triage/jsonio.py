"""Triage protocols as shareable JSON files (schema: docs/triage-protocol-schema.md).

A file carries keys, never database ids, so nothing in it can point at another workgroup's rows.
``parse`` reads untrusted bytes into an ``engine.Tree`` and a list of readable errors without
writing anything; ``import_protocol`` writes a new protocol (a v1 draft) only from a clean parse.
Exports are schema_version 2 (entry lines, partners' codes, safety rules); version-1 files still import.

Text goes through the one normaliser (``toolkit.text``) on the way in: Word's line breaks become
newlines (spaces in one-line fields such as names, questions and answers); other control characters
and lone surrogates are refused with the path of the field. On the way out, text stored before the
normaliser existed is scrubbed (``xml_safe``), so every export is valid UTF-8 JSON that imports again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from toolkit.text import normalise_structure, xml_safe
from toolkit.uploads import binary_signature
from triage import engine, services
from triage.models import NodeKind, Protocol, ProtocolVersion, Route, VersionStatus

if TYPE_CHECKING:
    from toolkit.models import User, Workgroup

SCHEMA_ID = "crisis-interop-toolkit/triage-protocol"
SCHEMA_VERSION = 2
SUPPORTED_SCHEMA_VERSIONS = (1, 2)

MAX_BYTES = 1_000_000
MAX_DEPTH = 20  # the schema itself needs 6 levels; anything deeper is not a protocol
MAX_ERRORS = 50  # a file with more problems than this is listed only in part
MAX_NODES = 500
MAX_OPTIONS = 20
MAX_RISK_LEVELS = 20
MAX_CRITERIA = 50
MAX_SCENARIOS = 200
MAX_CODES = 20  # per outcome
MAX_CODE_SYSTEM = 120  # a partner system's name, e.g. "Metro PSAP CAD disposition"
MAX_CODE = 60  # one code in that system
MAX_RULES = 50

MSG_NOT_JSON = "This is not a protocol file (JSON): it looks like {what}. Export the protocol as JSON and upload that."
MSG_FILE_HAS_ERRORS = "The file has {count} problem(s); nothing was imported."

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+\Z")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}\Z")


@dataclass
class ParsedProtocol:
    name: str = ""
    description: str = ""
    tree: engine.Tree | None = None
    # (name, answers, expected risk level, expected route, line), as services.write_tree takes
    scenarios: tuple = ()
    errors: list[str] = field(default_factory=list)
    change_summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and self.tree is not None


# --- Export --------------------------------------------------------------------------------


def export_version(version: ProtocolVersion) -> dict[str, Any]:
    """The version as a schema-2 document (keys only, no database ids; lists in their stored order)."""
    from triage.selectors import tree_for_version

    tree = tree_for_version(version)
    protocol = version.protocol
    return {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "protocol": {"name": protocol.name, "description": protocol.description},
        "version": {
            "number": version.number,
            "status": version.status,
            "change_summary": version.change_summary,
            "reassessment_guidance": version.reassessment_guidance,
        },
        "risk_levels": [
            {"key": level.key, "name": level.name, "description": level.description,
             "default_response": level.default_response, "responder_types": level.responder_types,
             "colour": level.colour}
            for level in tree.risk_levels
        ],
        "criteria": [{"key": key, "label": label} for key, label in tree.criteria.items()],
        "nodes": [
            {"key": node.key, "kind": node.kind, "text": node.text, "guidance": node.guidance, "root": node.root,
             "options": [{"label": o.label, "next": o.next, "criteria": dict(o.criteria)} for o in node.options],
             "risk_level": node.risk_level, "route": node.route, "actions": node.actions, "line": node.line,
             "codes": [{"system": system, "code": code} for system, code in node.codes]}
            for node in tree.nodes.values()
        ],
        "rules": [
            {"name": rule.name, "kind": rule.kind, "when": dict(rule.when), "line": rule.line,
             "levels": list(rule.levels), "routes": list(rule.routes), "criterion": rule.criterion,
             "criterion_yes": rule.criterion_yes}
            for rule in tree.rules
        ],
        "scenarios": [
            {"name": s.name, "answers": s.answers, "expected_risk_level": s.expected_risk_level,
             "expected_route": s.expected_route, "line": s.line}
            for s in version.scenarios.order_by("name", "pk")
        ],
    }


def _scrubbed(value: Any) -> Any:
    """Every string of the document without what cannot be encoded or re-imported (rows older than the normaliser)."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        return {_scrubbed(key): _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


def document_json(document: dict[str, Any]) -> str:
    # Sorted keys and a fixed indent: the same version always gives the same bytes (diffable files).
    return json.dumps(_scrubbed(document), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def dumps(version: ProtocolVersion) -> str:
    return document_json(export_version(version))


# --- Parse (untrusted input; writes nothing) -----------------------------------------------


class _TooManyErrors(Exception):
    pass


_MISSING = object()


def _depth_exceeds(text: str, limit: int) -> bool:
    """Bracket nesting outside strings, in one left-to-right pass (json.loads would recurse, and a
    regular expression over strings can take quadratic time on a string that never closes)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the name “{_q(key)}” appears twice in one object")
        result[key] = value
    return result


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _q(value: Any) -> str:
    """A value from the file, shortened for an error message (and never with a character a page cannot hold)."""
    text = xml_safe(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


class _Reader:
    """Strict field-by-field checks; every message names the path (positions count from 0)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.schema_version = SCHEMA_VERSION

    def fields(self, optional: tuple[str, ...], added_in_2: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
        """obj()'s optional fields for this file's schema_version; fields of version 2 are unknown in version 1."""
        if self.schema_version >= 2:
            return {"optional": optional + added_in_2}
        return {"optional": optional, "newer": added_in_2}

    def error(self, message: str) -> None:
        self.errors.append(message)
        if len(self.errors) >= MAX_ERRORS:
            raise _TooManyErrors

    def obj(self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = (),
            newer: tuple[str, ...] = ()) -> dict | None:
        if value is _MISSING:  # already reported by the enclosing object
            return None
        if not isinstance(value, dict):
            self.error(f"{path} must be an object, not {_kind(value)}.")
            return None
        for key in value:
            if key in newer:
                self.error(f"{path} has an unknown field “{key}” in schema_version {self.schema_version} "
                           "(it was added in schema_version 2).")
            elif key not in required and key not in optional:
                self.error(f"{path} has an unknown field “{_q(key)}”.")
        for key in required:
            if key not in value:
                self.error(f"{path} is missing the field “{key}”.")
        return value

    def items(self, value: Any, path: str, limit: int) -> list:
        if not isinstance(value, list):
            self.error(f"{path} must be a list, not {_kind(value)}.")
            return []
        if len(value) > limit:
            self.error(f"{path} has {len(value)} entries; at most {limit} are allowed.")
            return []
        return value

    def text(self, data: dict, key: str, path: str, max_length: int, *, blank: bool = True,
             multiline: bool = False) -> str:
        """A string field, already normalised (``parse``); one-line fields get spaces for line breaks and tabs."""
        if key not in data:  # a missing required field is reported once, by obj()
            return ""
        value = data[key]
        where = f"{path}.{key}" if path else key
        if not isinstance(value, str):
            self.error(f"{where} must be a string, not {_kind(value)}.")
            return ""
        if not multiline:
            value = _one_line(value)
        if len(value) > max_length:
            self.error(f"{where} is {len(value)} characters long; at most {max_length} are allowed.")
        if not blank and not value.strip():
            self.error(f"{where} must not be empty.")
        return value

    def slug(self, data: dict, key: str, path: str, max_length: int, *, blank: bool = False) -> str:
        value = self.text(data, key, path, max_length, blank=blank)
        if value and not _SLUG.match(value):
            self.error(f"{path}.{key} “{_q(value)}” must use only letters, digits, hyphens and underscores.")
        return value

    def choice(self, data: dict, key: str, path: str, choices: list[str], *, blank: bool = False) -> str:
        value = self.text(data, key, path, 40, blank=blank)
        if value and value not in choices:
            self.error(f"{path}.{key} “{_q(value)}” must be one of: {', '.join(choices)}.")
        return value

    def boolean(self, data: dict, key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.error(f"{path}.{key} must be true or false, not {_kind(value)}.")
            return False
        return value

    def listed(self, data: dict, key: str, path: str, allowed: list[str] | set[str], not_allowed: str,
               limit: int) -> tuple[str, ...]:
        """A list of strings, each one of ``allowed`` (``not_allowed`` ends the message when one is not), none twice."""
        where = f"{path}.{key}"
        values = []
        for i, value in enumerate(self.items(data.get(key, []), where, limit)):
            if not isinstance(value, str):
                self.error(f"{where}[{i}] must be a string, not {_kind(value)}.")
            elif value not in allowed:
                self.error(f"{where}[{i}] “{_q(value)}” {not_allowed}")
            else:
                values.append(value)
        self.unique(values, where, "value")
        return tuple(values)

    def unique(self, keys: list[str], path: str, what: str, *, fold: bool = False) -> None:
        seen: set[str] = set()
        for key in keys:
            folded = key.strip().casefold() if fold else key
            if folded and folded in seen:
                self.error(f"{path}: the {what} “{_q(key)}” is used more than once.")
            seen.add(folded)


def _one_line(text: str) -> str:
    return text.replace("\n", " ").replace("\t", " ")


def parse(data: bytes) -> ParsedProtocol:
    """Read a protocol file. Never raises for bad input and never writes: problems go to ``errors``."""
    parsed = ParsedProtocol()
    if len(data) > MAX_BYTES:
        parsed.errors.append(f"The file is larger than {MAX_BYTES // 1_000_000} MB; protocol files are much smaller.")
        return parsed
    what = binary_signature(data[:1024])
    if what is not None:
        parsed.errors.append(MSG_NOT_JSON.format(what=what))
        return parsed
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.errors.append("The file is not UTF-8 text.")
        return parsed
    if _depth_exceeds(text, MAX_DEPTH):
        parsed.errors.append(f"The file nests lists or objects more than {MAX_DEPTH} levels deep.")
        return parsed
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        parsed.errors.append(f"The file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).")
        return parsed
    except (ValueError, RecursionError) as exc:  # duplicate names, NaN, huge integers; depth is checked above
        parsed.errors.append(xml_safe(f"The file is not valid JSON: {exc}."))
        return parsed
    try:
        document = normalise_structure(document)
    except ValidationError as exc:  # a control character or a lone surrogate ("\ud800"), with where it is
        # The path in the message may quote a name from the file: scrub it, or the page could not be sent.
        parsed.errors.extend(xml_safe(message) for message in exc.messages)
        return parsed
    reader = _Reader()
    try:
        _read_document(reader, document, parsed)
    except _TooManyErrors:
        reader.errors.append(f"Stopped after {MAX_ERRORS} problems; fix these and try again.")
    parsed.errors = reader.errors
    if parsed.errors:
        parsed.tree = None
    return parsed


_TOP = ("schema", "schema_version", "protocol", "version", "risk_levels", "criteria", "nodes")
_ROUTES = list(Route.values)
_LINES = list(engine.LINES)


def _read_document(r: _Reader, document: Any, parsed: ParsedProtocol) -> None:
    if not isinstance(document, dict):
        r.error(f"The file must hold one JSON object, not {_kind(document)}.")
        return
    if document.get("schema") != SCHEMA_ID:
        r.error(f"This is not a triage protocol file: “schema” must be “{SCHEMA_ID}”.")
        return
    version_number = document.get("schema_version")
    if type(version_number) is not int or version_number not in SUPPORTED_SCHEMA_VERSIONS:
        r.error(f"schema_version {json.dumps(version_number)[:20]} is not supported; this toolkit reads "
                f"schema_version {', '.join(map(str, SUPPORTED_SCHEMA_VERSIONS))}.")
        return
    r.schema_version = version_number
    r.obj(document, "The file", _TOP, **r.fields(("scenarios",), ("rules",)))

    protocol = r.obj(document.get("protocol", _MISSING), "protocol", ("name",), ("description",))
    if protocol is not None:
        parsed.name = r.text(protocol, "name", "protocol", 200, blank=False).strip()
        parsed.description = r.text(protocol, "description", "protocol", 10_000, multiline=True)

    version = r.obj(document.get("version", _MISSING), "version", ("reassessment_guidance",),
                    ("number", "status", "change_summary")) or {}
    number = version.get("number", 1)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        r.error("version.number must be a whole number of 1 or more.")
    r.choice(version, "status", "version", list(VersionStatus.values), blank=True)
    parsed.change_summary = r.text(version, "change_summary", "version", 300)
    guidance = r.text(version, "reassessment_guidance", "version", 10_000, multiline=True)

    levels = _read_risk_levels(r, document.get("risk_levels", []))
    criteria = _read_criteria(r, document.get("criteria", []))
    level_keys = {level.key for level in levels}
    nodes = _read_nodes(r, document.get("nodes", []), level_keys)
    rules = _read_rules(r, document.get("rules", []) if version_number >= 2 else [], criteria, level_keys)
    if r.errors:
        return
    tree = engine.Tree(nodes={node.key: node for node in nodes}, risk_levels=tuple(levels), criteria=criteria,
                       reassessment_guidance=guidance, rules=tuple(rules))
    parsed.scenarios = _read_scenarios(r, document.get("scenarios", []), tree)
    # The engine names a safety rule by its name; the file's readers need its place as well.
    rule_paths = [(f"The safety rule “{rule.name}” ", f"rules[{i}]") for i, rule in enumerate(rules)]
    for problem in engine.errors_of(engine.validate(tree)):
        matches = [(len(prefix), path) for prefix, path in rule_paths if problem.message.startswith(prefix)]
        if matches:
            r.error(f"{max(matches)[1]}: {problem.message}")
        else:
            where = f" (node “{problem.node}”)" if problem.node else ""
            r.error(f"{problem.message}{where}")
    parsed.tree = tree


def _read_risk_levels(r: _Reader, value: Any) -> list[engine.RiskLevelSpec]:
    levels = []
    for i, item in enumerate(r.items(value, "risk_levels", MAX_RISK_LEVELS)):
        path = f"risk_levels[{i}]"
        data = r.obj(item, path, ("key", "name"), ("description", "default_response", "responder_types", "colour"))
        if data is None:
            continue
        colour = r.text(data, "colour", path, 7) if "colour" in data else "#6c757d"
        if colour and not _COLOUR.match(colour):
            r.error(f"{path}.colour “{_q(colour)}” must be a colour like #1f77b4.")
        levels.append(engine.RiskLevelSpec(
            key=r.slug(data, "key", path, 40), name=r.text(data, "name", path, 80, blank=False),
            description=r.text(data, "description", path, 10_000, multiline=True),
            default_response=r.text(data, "default_response", path, 10_000, multiline=True),
            responder_types=r.text(data, "responder_types", path, 300), colour=colour,
        ))
    r.unique([level.key for level in levels], "risk_levels", "key")
    return levels


def _read_criteria(r: _Reader, value: Any) -> dict[str, str]:
    keys, criteria = [], {}
    for i, item in enumerate(r.items(value, "criteria", MAX_CRITERIA)):
        path = f"criteria[{i}]"
        data = r.obj(item, path, ("key", "label"))
        if data is None:
            continue
        key = r.slug(data, "key", path, 40)
        keys.append(key)
        criteria[key] = r.text(data, "label", path, 120, blank=False)
    r.unique(keys, "criteria", "key")
    return criteria


def _read_nodes(r: _Reader, value: Any, level_keys: set[str]) -> list[engine.NodeSpec]:
    nodes = []
    for i, item in enumerate(r.items(value, "nodes", MAX_NODES)):
        path = f"nodes[{i}]"
        data = r.obj(item, path, ("key", "kind", "text"),
                     **r.fields(("guidance", "root", "options", "risk_level", "route", "actions"), ("line", "codes")))
        if data is None:
            continue
        kind = r.choice(data, "kind", path, list(NodeKind.values))
        risk_level = r.slug(data, "risk_level", path, 40, blank=True)
        if risk_level and risk_level not in level_keys:
            r.error(f"{path}.risk_level “{_q(risk_level)}” is not the key of one of the risk_levels.")
        root = r.boolean(data, "root", path)
        line = r.choice(data, "line", path, _LINES, blank=True)
        if line in _LINES and not root:
            r.error(f"{path}.line is only for a first question (“root”: true); leave it empty on other nodes.")
        nodes.append(engine.NodeSpec(
            key=r.slug(data, "key", path, 60), kind=kind, text=r.text(data, "text", path, 300, blank=False),
            guidance=r.text(data, "guidance", path, 10_000, multiline=True), root=root,
            options=tuple(_read_options(r, data.get("options", []), path)), risk_level=risk_level,
            route=r.choice(data, "route", path, _ROUTES, blank=True),
            actions=r.text(data, "actions", path, 10_000, multiline=True), line=line,
            codes=_read_codes(r, data.get("codes", []), path, kind),
        ))
    r.unique([node.key for node in nodes], "nodes", "key")
    return nodes


def _read_options(r: _Reader, value: Any, node_path: str) -> list[engine.OptionSpec]:
    options = []
    for i, item in enumerate(r.items(value, f"{node_path}.options", MAX_OPTIONS)):
        path = f"{node_path}.options[{i}]"
        data = r.obj(item, path, ("label", "next"), ("criteria",))
        if data is None:
            continue
        criteria = {}
        raw = data.get("criteria", {})
        if not isinstance(raw, dict):
            r.error(f"{path}.criteria must be an object, not {_kind(raw)}.")
            raw = {}
        for key, flag in raw.items():
            if not isinstance(flag, bool):
                r.error(f"{path}.criteria.{_q(key)} must be true or false, not {_kind(flag)}.")
            criteria[key] = flag
        options.append(engine.OptionSpec(label=r.text(data, "label", path, 200, blank=False),
                                         next=r.slug(data, "next", path, 60, blank=True), criteria=criteria))
    return options


def _read_codes(r: _Reader, value: Any, node_path: str, kind: str) -> tuple[tuple[str, str], ...]:
    """An outcome's codes in partners' systems: [{"system", "code"}], in the order given, no pair twice."""
    path = f"{node_path}.codes"
    items = r.items(value, path, MAX_CODES)
    if items and kind == engine.QUESTION:
        r.error(f"{path}: only outcomes carry codes; this node is a question.")
        return ()
    codes: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        data = r.obj(item, where, ("system", "code"))
        if data is None:
            continue
        pair = (r.text(data, "system", where, MAX_CODE_SYSTEM, blank=False).strip(),
                r.text(data, "code", where, MAX_CODE, blank=False).strip())
        if ":" in pair[0]:  # the outcome editor writes "system: code" lines and splits at the first colon
            r.error(f"{where}.system “{_q(pair[0])}” must not contain a colon.")
        if all(pair) and pair in codes:
            r.error(f"{where}: the code “{_q(pair[1])}” of “{_q(pair[0])}” is listed twice.")
        codes.append(pair)
    return tuple(codes)


def _read_rules(r: _Reader, value: Any, criteria: dict[str, str], level_keys: set[str]) -> list[engine.RuleSpec]:
    """Safety rules: field checks here, with their paths; what a rule means is checked by the engine (validate)."""
    rules = []
    for i, item in enumerate(r.items(value, "rules", MAX_RULES)):
        path = f"rules[{i}]"
        data = r.obj(item, path, ("name", "kind"),
                     ("when", "line", "levels", "routes", "criterion", "criterion_yes"))
        if data is None:
            continue
        name = r.text(data, "name", path, 200, blank=False).strip()
        kind = r.choice(data, "kind", path, list(engine.RULE_KINDS))
        when: dict[str, bool] = {}
        raw = data.get("when", {})
        if not isinstance(raw, dict):
            r.error(f"{path}.when must be an object, not {_kind(raw)}.")
            raw = {}
        for key, flag in raw.items():
            if not isinstance(flag, bool):
                r.error(f"{path}.when.{_q(key)} must be true or false, not {_kind(flag)}.")
            elif key not in criteria:
                r.error(f"{path}.when names “{_q(key)}”, which is not the key of one of the criteria.")
            else:
                when[key] = flag
        line = r.choice(data, "line", path, _LINES, blank=True)
        levels = r.listed(data, "levels", path, level_keys, "is not the key of one of the risk_levels.",
                          MAX_RISK_LEVELS)
        routes = r.listed(data, "routes", path, _ROUTES, f"must be one of: {', '.join(_ROUTES)}.", len(_ROUTES))
        criterion = r.slug(data, "criterion", path, 40, blank=True)
        if criterion and criterion not in criteria:
            r.error(f"{path}.criterion “{_q(criterion)}” is not the key of one of the criteria.")
        criterion_yes = r.boolean(data, "criterion_yes", path)
        # A field the rule's kind does not read would do nothing: say so rather than import a rule that looks
        # stricter than it is (triage.rules keeps only what each kind reads, for rules written in the browser).
        ignored = {
            engine.RULE_OUTCOME_WHEN: {"criterion": criterion, "criterion_yes": criterion_yes},
            engine.RULE_ROUTE_ONLY_WHEN: {"line": line, "levels": levels, "criterion": criterion,
                                          "criterion_yes": criterion_yes},
            engine.RULE_ROUTE_RECORDS: {"when": when, "line": line, "levels": levels},
        }.get(kind, {})
        for field_name, field_value in ignored.items():
            if field_value:
                r.error(f"{path}.{field_name} is not used by a rule of kind “{kind}”; leave it out.")
        rules.append(engine.RuleSpec(name=name, kind=kind, when=when, line=line, levels=levels, routes=routes,
                                     criterion=criterion, criterion_yes=criterion_yes))
    r.unique([rule.name for rule in rules], "rules", "name", fold=True)
    return rules


def _read_scenarios(r: _Reader, value: Any, tree: engine.Tree) -> tuple:
    level_keys = {level.key for level in tree.risk_levels}
    scenarios, names = [], []
    for i, item in enumerate(r.items(value, "scenarios", MAX_SCENARIOS)):
        path = f"scenarios[{i}]"
        data = r.obj(item, path, ("name", "answers", "expected_risk_level", "expected_route"),
                     **r.fields((), ("line",)))
        if data is None:
            continue
        name = r.text(data, "name", path, 200, blank=False).strip()
        names.append(name)
        answers = data.get("answers", {})
        if not isinstance(answers, dict):
            r.error(f"{path}.answers must be an object, not {_kind(answers)}.")
            answers = {}
        # Answers name option labels, which are one-line text: compare them the same way.
        answers = {key: _one_line(label) if isinstance(label, str) else label for key, label in answers.items()}
        for key, label in answers.items():
            node = tree.nodes.get(key)
            if node is None or node.kind != engine.QUESTION:
                r.error(f"{path}.answers names “{_q(key)}”, which is not a question in this file.")
            elif not isinstance(label, str):
                r.error(f"{path}.answers.{_q(key)} must be a string, not {_kind(label)}.")
            elif not any(o.label.strip().casefold() == label.strip().casefold() for o in node.options):
                r.error(f"{path}.answers.{_q(key)} “{_q(label)}” is not one of the answers to “{node.text}”.")
        level = r.slug(data, "expected_risk_level", path, 40, blank=True)
        if level and level not in level_keys:
            r.error(f"{path}.expected_risk_level “{_q(level)}” is not the key of one of the risk_levels.")
        route = r.choice(data, "expected_route", path, _ROUTES)
        # Only a call outside the protocol (a fire, a crime) ends without a risk level.
        if data.get("expected_risk_level") == "" and route in _ROUTES and route != engine.OUT_OF_SCOPE:
            r.error(f"{path}.expected_risk_level must not be empty unless expected_route is “{engine.OUT_OF_SCOPE}”.")
        line = r.choice(data, "line", path, _LINES, blank=True)
        scenarios.append((name, dict(answers), level, route, line))
    r.unique(names, "scenarios", "name", fold=True)
    return tuple(scenarios)


# --- Import (writes) -----------------------------------------------------------------------


def _free_name(workgroup: Workgroup, name: str) -> str:
    """The name, or “name (imported)”, “name (imported 2)”… whichever is not taken in this workgroup."""
    taken = Protocol.objects.filter(workgroup=workgroup)
    for n in range(1, 1000):
        suffix = "" if n == 1 else (" (imported)" if n == 2 else f" (imported {n - 1})")
        candidate = name[: 200 - len(suffix)].rstrip() + suffix
        if not taken.filter(name__iexact=candidate).exists():
            return candidate
    raise ValidationError(services.MSG_NAME_TAKEN.format(name=name))


@transaction.atomic
def import_protocol(*, actor: User, workgroup: Workgroup, parsed: ParsedProtocol, name: str | None = None) -> Protocol:
    """A new protocol from a clean parse: always version 1, a draft, whatever the file's number and status."""
    if not parsed.ok:
        raise ValidationError(MSG_FILE_HAS_ERRORS.format(count=len(parsed.errors) or 1))
    protocol = services.protocol_create(
        actor=actor, workgroup=workgroup, name=_free_name(workgroup, (name or parsed.name).strip()),
        description=parsed.description, tree=parsed.tree, scenarios=parsed.scenarios,
    )
    if parsed.change_summary:
        services.version_update(actor=actor, version=protocol.versions.get(), change_summary=parsed.change_summary)
    return protocol
