"""The clause language: plain placeholders and a few conditionals, never a template engine.

Django's template language is not safe against untrusted authors and sandboxed engines have had
escapes, so clause text understands exactly this and nothing more:

* ``[[name]]`` or ``[[namespace.field]]`` inserts a value from an allow-list (the template's
  declared variables and a fixed set of built-ins such as ``agreement.title``). Values come from
  a dictionary prepared by the app — nothing is looked up on Python objects — and are HTML-escaped.
* ``[[if flag]] … [[endif]]`` and ``[[if choice == "value"]] … [[endif]]`` keep or drop text;
  conditionals nest at most two deep.

``check`` reports every problem with its line and column when an author saves; ``render`` never
runs anything: an unknown name renders as a visible "[missing: …]" marker.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_LENGTH = 50_000  # characters in one clause
MAX_TOKEN = 120  # characters between [[ and ]]
MAX_DEPTH = 2
MSG_CONDITION_SYNTAX = 'Write a condition as [[if name]] or [[if name == "value"]].'

_NAME = r"[a-z][a-z0-9_]{0,59}"
_VALUE = re.compile(rf"^({_NAME})(?:\.({_NAME}))?$")
_IF = re.compile(rf'^if\s+({_NAME})(?:\s*==\s*"([^"\\{{}}\[\]]{{0,100}})")?$')
_ENGINE_SYNTAX = re.compile(r"\{\{|\{%|\{#|%\}|\}\}")


@dataclass(frozen=True)
class Problem:
    position: int
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.message}"


@dataclass(frozen=True)
class _Token:
    start: int  # index of "[["
    end: int  # index after "]]"
    content: str


def _where(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return line, column


def _problem(text: str, position: int, message: str) -> Problem:
    line, column = _where(text, position)
    return Problem(position, line, column, message)


def _tokens(text: str, problems: list[Problem] | None = None) -> list[_Token]:
    """Split out the [[…]] tokens; an unclosed or oversized one is a problem (and is not a token)."""
    tokens, index = [], 0
    while (start := text.find("[[", index)) != -1:
        end = text.find("]]", start + 2)
        newline = text.find("\n", start + 2)
        if end == -1 or (newline != -1 and newline < end) or end - start - 2 > MAX_TOKEN:
            if problems is not None:
                problems.append(_problem(text, start, "“[[” is not closed by “]]” on the same line."))
            index = start + 2
            continue
        tokens.append(_Token(start, end + 2, text[start + 2:end].strip()))
        index = end + 2
    return tokens


def check(text: str, *, names: set[str], flags: dict[str, frozenset[str] | None]) -> list[Problem]:
    """Every problem in a clause, for the author: unknown names, bad syntax, unbalanced conditionals.

    ``names`` are the insertable values ("effective_date", "agreement.title"); ``flags`` are the
    names a conditional may test, each with its allowed choice values (None: a yes/no flag).
    """
    problems: list[Problem] = []
    if len(text) > MAX_LENGTH:
        return [_problem(text, MAX_LENGTH, f"The clause is longer than {MAX_LENGTH:,} characters.")]
    for match in _ENGINE_SYNTAX.finditer(text):
        problems.append(_problem(text, match.start(), f"“{match.group()}” is template-engine syntax, which clauses "
                                                      "do not support; use [[name]] placeholders."))
    depth = 0
    opened: list[int] = []
    for token in _tokens(text, problems):
        content = token.content
        if content == "endif":
            if not opened:
                problems.append(_problem(text, token.start, "[[endif]] without a matching [[if …]]."))
            else:
                opened.pop()
                depth -= 1
            continue
        if content.startswith("if ") or content == "if":
            match = _IF.match(content)
            if not match:
                problems.append(_problem(text, token.start, MSG_CONDITION_SYNTAX))
                continue
            name, value = match.group(1), match.group(2)
            if name not in flags:
                problems.append(_problem(text, token.start, f"“{name}” cannot be used in a condition here."))
            elif value is not None and (flags[name] is None or value not in flags[name]):
                allowed = ", ".join(sorted(flags[name] or ())) or "none (it is a yes/no flag)"
                problems.append(_problem(text, token.start, f"“{value}” is not a choice of “{name}” ({allowed})."))
            elif value is None and flags[name] is not None:
                problems.append(_problem(text, token.start, f'“{name}” has choices: write [[if {name} == "…"]].'))
            depth += 1
            opened.append(token.start)
            if depth > MAX_DEPTH:
                problems.append(_problem(text, token.start, f"Conditions nest at most {MAX_DEPTH} deep."))
            continue
        match = _VALUE.match(content)
        if not match:
            problems.append(_problem(text, token.start, f"“[[{content[:40]}]]” is not a placeholder: use lower-case "
                                                        "names like [[effective_date]] or [[agreement.title]]."))
        elif content not in names:
            problems.append(_problem(text, token.start, f"“{content}” is not an available variable."))
    for position in opened:
        problems.append(_problem(text, position, "[[if …]] is not closed by [[endif]]."))
    return sorted(problems, key=lambda p: p.position)


def render(text: str, *, values: dict[str, str], flags: dict[str, bool | str]) -> str:
    """Fill placeholders with HTML-escaped values and apply conditionals. Never executes anything."""
    out: list[str] = []
    keep: list[bool] = []  # one entry per open conditional
    index = 0
    for token in _tokens(text):
        if all(keep):
            out.append(text[index:token.start])
        index = token.end
        content = token.content
        if content == "endif":
            if keep:
                keep.pop()
            continue
        match = _IF.match(content)
        if match:
            name, wanted = match.group(1), match.group(2)
            actual = flags.get(name)
            keep.append(bool(actual) if wanted is None else actual == wanted)
            continue
        if not all(keep):
            continue
        if content in values:
            out.append(html.escape(str(values[content])))
        else:
            out.append(html.escape(f"[missing: {content[:40]}]"))
    if all(keep):
        out.append(text[index:])
    return "".join(out)


def used_names(text: str) -> set[str]:
    """The value and flag names a clause refers to (for "is every declared variable used?")."""
    found = set()
    for token in _tokens(text):
        match = _IF.match(token.content)
        if match:
            found.add(match.group(1))
        elif token.content != "endif" and _VALUE.match(token.content):
            found.add(token.content)
    return found
