"""The Word round trip: counsel edit the exported DOCX, the app reads it back against the version it came from.

``word_import_create`` opens an uploaded DOCX safely (``agreements.word_package``), reads it
(``agreements.word_reader``) against the agreement's current version and keeps, per clause, what the
document proposes; ``word_import_apply`` turns the clauses a coordinator accepts into a new version
through ``services.agreement_save``. The file itself is not kept.

Where the copy came from. Every export carries the agreement's id and version number in its "identifier"
property (``RenderedAgreement.reference``). A copy of another agreement is refused, and so is a copy of an
older version: read against the current text, every clause changed since would look like counsel's edit,
and accepting it would quietly undo the newer text. A copy without the mark (exported before it existed,
or saved by a program that dropped it) is read against the current version, and the review page says its
origin could not be checked. The mark is not a signature: it guards against mix-ups, not against forgery.

Filled-in values. The export has every [[placeholder]] filled in, so the document reads "May 1, 2027"
where the clause says [[effective_date]]. A clause whose text (tracked changes accepted) still reads
exactly as this version renders it is unchanged, and keeps its stored text. A changed clause proposes
the edited text, with each value that is still there, untouched, in the place it was rendered put back
as its placeholder; a value edited in Word stays typed text in that clause (the page says so). To find
where values were rendered, the version is exported once more with each value wrapped in markers from
Unicode's private use area and read back by the same reader, then aligned word by word with the upload.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from agreements import exports, services
from agreements.models import Agreement, AgreementVersion, WordImport
from agreements.placeholders import MAX_LENGTH
from agreements.rendering import (
    ClauseText,
    RenderedAgreement,
    VariableSpec,
    flags_for,
    render_clauses,
    values_for,
)
from agreements.selectors import render_version
from agreements.word_package import MAX_UPLOAD_BYTES, MSG_TOO_LARGE, Package, open_package
from agreements.word_reader import ReadAgreement, frame_additions, read_agreement
from toolkit.history import save_validated
from toolkit.permissions import Action, require
from toolkit.text import normalise_text, xml_safe

if TYPE_CHECKING:
    from toolkit.models import User

CHANGED, UNCHANGED, NOT_FOUND = "changed", "unchanged", "not_found"

MSG_ALREADY_APPLIED = ("These changes were applied already, as version {number}. To bring in another round of edits, "
                       "upload the document again.")
MSG_STALE_BASE = ("This document was compared with version {base}, but the agreement is at version {current} now. "
                  "Upload the document again to compare it with version {current}; nothing was changed.")
MSG_NOT_EDITABLE = ("The agreement is {status}: changes from Word are applied to a draft, or once changes are "
                    "requested. Nothing was changed.")
MSG_NOTHING_ACCEPTED = "Tick at least one changed clause to accept; nothing was changed."
MSG_NOT_A_CHANGE = "“{key}” is not a changed clause of this document; nothing was changed."
MSG_EMPTY_FILE = "That file is empty: choose the Word document to upload."
MSG_OTHER_AGREEMENT = ("This document was exported from another agreement, not from “{title}”, so it was not read. "
                       "Upload the copy made from this agreement's Word export, or bring these edits in on the "
                       "agreement they were made to.")
MSG_OLDER_VERSION = ("This copy was exported from version {base}; the agreement is now at version {current}. "
                     "Export the current version for counsel, or compare the two by hand.")
MSG_UNKNOWN_VERSION = ("This copy says it was exported from version {base}, but the agreement has no such version "
                       "(it is at version {current}). Export the current version for counsel and upload that copy.")
MSG_CLAUSE_TOO_LONG = ("In this document, “{title}” runs to more than {limit:,} characters, longer than a clause can "
                       "be, so the file was not read. Check that clause in Word (a deleted paragraph mark joins a "
                       "paragraph to the next one) and upload the document again.")
# Kept with the import's passages (no column for it): the file did not say which agreement and version it came from.
_ORIGIN = re.compile(r"crisis-interop-toolkit:agreement:(\d{1,18}):version:(\d{1,9})")

_MARK_OPEN, _MARK_VALUE, _MARK_CLOSE = "\ue000", "\ue001", "\ue002"
_MARKED = re.compile(f"{_MARK_OPEN}([a-z][a-z0-9_.]{{0,120}}){_MARK_VALUE}(.*?){_MARK_CLOSE}", re.DOTALL)
_TOKENS = re.compile(r"<[^>]*>|&#?\w+;|\s+|\w+|.", re.DOTALL)


# --------------------------------------------------------------------------- Comparing with a version


def _marked_rendering(version: AgreementVersion, rendered: RenderedAgreement) -> RenderedAgreement:
    """The version rendered as usual, but every value wrapped in markers that say which placeholder it came from.

    The values and flags are prepared as ``selectors.render_version`` prepares them (from the snapshot).
    """
    agreement = version.agreement
    specs = [VariableSpec(v.name, v.label, v.type, tuple(v.choices)) for v in agreement.template.variables.all()]
    stored = {name: xml_safe(value) for name, value in version.variables.items()}
    parties = version.parties
    values = values_for(specs, stored, title=xml_safe(version.title), workgroup_name=xml_safe(agreement.workgroup.name),
                        workgroup_jurisdiction=xml_safe(agreement.workgroup.jurisdiction_name),
                        party_names=[xml_safe(p.get("name", "")) for p in parties])
    flags = flags_for(specs, stored, has_substance_use_provider=any(p.get("substance_use") for p in parties))
    marked = {name: f"{_MARK_OPEN}{name}{_MARK_VALUE}{value}{_MARK_CLOSE}" if value else value
              for name, value in values.items()}
    clauses = [ClauseText(c["key"], xml_safe(c["title"]), xml_safe(c["body"]), c.get("condition", ""))
               for c in version.clauses]
    return replace(rendered, clauses=render_clauses(clauses, values=marked, flags=flags))


def restore_placeholders(marked_html: str, edited_html: str) -> str:
    """``edited_html`` with each rendered value that is still there, unedited and in place, as its [[placeholder]].

    ``marked_html`` is the unedited clause as read back with its values marked. The two texts are aligned
    word by word; a value counts as "in place" when its words and the word on each side of it lie in one
    stretch both texts share.
    """
    spans: list[tuple[int, int, str]] = []
    plain: list[str] = []
    length, index = 0, 0
    for match in _MARKED.finditer(marked_html):
        before = marked_html[index:match.start()]
        plain.append(before)
        length += len(before)
        value = match.group(2)
        if value and "<" not in value:
            spans.append((length, length + len(value), match.group(1)))
        plain.append(value)
        length += len(value)
        index = match.end()
    plain.append(marked_html[index:])
    if not spans:
        return edited_html
    base = "".join(plain)
    old = [(m.start(), m.group()) for m in _TOKENS.finditer(base)]
    new = [(m.start(), m.group()) for m in _TOKENS.finditer(edited_html)]

    def key(token: str) -> str:
        return " " if token.isspace() else token

    matcher = SequenceMatcher(None, [key(t) for _, t in old], [key(t) for _, t in new], autojunk=False)
    shared: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            shared[block.a + offset] = block.b + offset
    starts = [start for start, _ in old]
    replacements = []
    for start, end, name in spans:
        first = _token_at(starts, start)
        last = _token_at(starts, end - 1)
        # In place: the value and the word on each side of it are shared, in one unbroken run.
        before, after = max(first - 1, 0), min(last + 1, len(old) - 1)
        if not all(i in shared for i in range(before, after + 1)) or shared[after] - shared[before] != after - before:
            continue  # the value was edited, or moved elsewhere: it stays as typed
        new_start = new[shared[first]][0] + (start - old[first][0])
        new_end = new[shared[last]][0] + (end - old[last][0])
        replacements.append((new_start, new_end, name))
    for new_start, new_end, name in sorted(replacements, reverse=True):
        edited_html = f"{edited_html[:new_start]}[[{name}]]{edited_html[new_end:]}"
    return edited_html


def _token_at(starts: list[int], position: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low


def compare_with_version(version: AgreementVersion, data: bytes | Package) -> tuple[list[dict], list[dict]]:
    """What an uploaded DOCX proposes for each clause of ``version``, and the passages that match no clause."""
    # Refuses hostile or broken files before anything else runs (``word_import_create`` opened it already).
    package = data if isinstance(data, Package) else open_package(data)
    rendered = render_version(version)
    uploaded = read_agreement(package, rendered.clauses)
    for clause in rendered.clauses:
        # No clause may be that long (placeholders.check); the alignment below is not for texts this size.
        if (found := uploaded.clauses.get(clause.key)) is not None and len(found.html) > MAX_LENGTH:
            raise ValidationError(MSG_CLAUSE_TOO_LONG.format(title=clause.title, limit=MAX_LENGTH),
                                  code="clause_too_long")
    base = read_agreement(open_package(exports.agreement_docx(rendered)), rendered.clauses)
    marked = read_agreement(open_package(exports.agreement_docx(_marked_rendering(version, rendered))),
                            rendered.clauses)
    stored = {clause["key"]: clause["body"] for clause in version.clauses}
    proposals = []
    for clause in rendered.clauses:
        found = uploaded.clauses.get(clause.key)
        body = stored.get(clause.key, "")
        proposal = {"key": clause.key, "number": clause.number, "title": clause.title, "base_html": body,
                    "proposed_html": body, "status": UNCHANGED, "tracked": False, "matched_by": "",
                    "had_conditions": "[[if" in body}
        if found is None:
            proposal["status"] = NOT_FOUND
        else:
            proposal.update(tracked=found.tracked, matched_by=found.matched_by)
            base_clause = base.clauses.get(clause.key)
            if base_clause is None or found.html != base_clause.html:
                marked_clause = marked.clauses.get(clause.key)
                proposal.update(status=CHANGED, proposed_html=restore_placeholders(
                    marked_clause.html if marked_clause else "", found.html))
        proposals.append(proposal)
    return proposals, _unmatched(uploaded, base, version)


def _unmatched(uploaded: ReadAgreement, base: ReadAgreement, version: AgreementVersion) -> list[dict]:
    passages = [{"text": passage["text"][:20_000], "where": passage["where"]} for passage in uploaded.unmatched]
    # The version line and the DRAFT mark change with the agreement's status, not with counsel's edits.
    ignore = (f"Version {version.number} —", exports.DRAFT_NOTICE)
    for text in frame_additions(uploaded.frame, base.frame, ignore=ignore):
        passages.append({"text": text[:20_000], "where": "Outside the terms (title, parties or signature blocks): "
                                                          "not read by an import"})
    return passages


def passages(word_import: WordImport) -> list[dict]:
    """The passages of an import that match no clause."""
    return list(word_import.unmatched)


def origin_unchecked(word_import: WordImport) -> bool:
    """The file did not say which agreement and version it was exported from."""
    return not word_import.origin_checked


def proposal_rows(word_import: WordImport) -> list[dict[str, Any]]:
    """The proposals of an import as the review page shows them, each changed one with its redline.

    The redline is made here, from the stored texts, by ``exports.redline`` (every word escaped).
    """
    rows = []
    for proposal in word_import.proposals:
        row = dict(proposal)
        if proposal["status"] == CHANGED:
            row["redline"] = exports.redline(proposal["base_html"], proposal["proposed_html"])
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------------------------- Services


def _filename(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    return (xml_safe(normalise_text(xml_safe(base), multiline=False)).strip() or "document.docx")[:200]


def _version_read_against(agreement: Agreement, identifier: str) -> tuple[AgreementVersion, bool]:
    """The version a copy is read against (always the current one) and whether its origin mark says so.

    Refused: a copy of another agreement, or of a version other than the current one.
    """
    # The number as stored now, not as the caller's copy of the agreement remembers it.
    number_now = Agreement.objects.values_list("current_version_number", flat=True).get(pk=agreement.pk)
    current = agreement.versions.select_related("agreement__workgroup", "agreement__template").get(number=number_now)
    origin = _ORIGIN.fullmatch(identifier)
    if origin is None:
        return current, False
    agreement_id, number = int(origin.group(1)), int(origin.group(2))
    if agreement_id != agreement.pk:
        raise ValidationError(MSG_OTHER_AGREEMENT.format(title=xml_safe(agreement.title)), code="other_agreement")
    if number < current.number and agreement.versions.filter(number=number).exists():
        raise ValidationError(MSG_OLDER_VERSION.format(base=number, current=current.number), code="older_version")
    if number != current.number:
        raise ValidationError(MSG_UNKNOWN_VERSION.format(base=number, current=current.number), code="unknown_version")
    return current, True


def word_import_create(*, actor: User, agreement: Agreement, uploaded, from_party: str = "") -> WordImport:
    """Read an uploaded DOCX against the version it was exported from, which must be the current one.

    The proposals wait for a decision; see the module's notes on where the copy came from.
    """
    # Coordinators and legal reviewers bring a Word copy back (coordinators hold every action).
    require(actor, agreement.workgroup, Action.REVIEW_AGREEMENTS)
    if uploaded.size is not None and uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError(MSG_TOO_LARGE, code="too_large")
    data = uploaded.read(MAX_UPLOAD_BYTES + 1)
    if not data:
        raise ValidationError(MSG_EMPTY_FILE, code="empty")
    package = open_package(data)  # refuses hostile or broken files before anything else runs
    version, origin_checked = _version_read_against(agreement, package.identifier)
    proposals, unmatched = compare_with_version(version, package)
    word_import = WordImport(
        workgroup=agreement.workgroup, agreement=agreement, base_version=version, uploaded_by=actor,
        filename=_filename(uploaded.name), from_party=normalise_text(from_party or "", multiline=False)[:200],
        proposals=proposals, unmatched=unmatched, origin_checked=origin_checked,
    )
    with transaction.atomic():
        return save_validated(word_import, actor)


@transaction.atomic
def word_import_apply(*, actor: User, word_import: WordImport, accepted_keys: set[str],
                      edited: dict[str, str] | None = None) -> AgreementVersion:
    """Save the accepted clauses (as proposed, or as edited on the review page) as a new version.

    Refused when the import was applied already, when the agreement cannot be edited now, or when it has
    moved past the version the document was compared with (then the upload has to be read again).
    """
    require(actor, word_import.workgroup, Action.EDIT_AGREEMENTS)
    locked = WordImport.objects.select_for_update().select_related("base_version").get(pk=word_import.pk)
    if locked.applied_version_id is not None:
        raise ValidationError(MSG_ALREADY_APPLIED.format(number=locked.applied_version.number), code="applied")
    agreement = Agreement.objects.select_for_update().select_related("workgroup", "template").get(
        pk=locked.agreement_id)
    if not agreement.is_editable:
        raise ValidationError(MSG_NOT_EDITABLE.format(status=agreement.get_status_display().lower()),
                              code="not_editable")
    if agreement.current_version_number != locked.base_version.number:
        raise ValidationError(MSG_STALE_BASE.format(base=locked.base_version.number,
                                                    current=agreement.current_version_number), code="stale")
    changed = {p["key"]: p for p in locked.proposals if p["status"] == CHANGED}
    if not accepted_keys:
        raise ValidationError(MSG_NOTHING_ACCEPTED, code="nothing_accepted")
    for key in sorted(accepted_keys):
        if key not in changed:
            raise ValidationError(MSG_NOT_A_CHANGE.format(key=xml_safe(key)[:60]), code="not_a_change")
    edited = edited or {}
    bodies = {key: edited.get(key, changed[key]["proposed_html"]) for key in accepted_keys}
    summary = f"Changes from Word ({locked.filename}"
    summary += f", {locked.from_party}" if locked.from_party else ""
    summary += f"): {len(bodies)} of {len(changed)} changed clause{'s' if len(changed) != 1 else ''} accepted"
    version = services.agreement_save(
        actor=actor, agreement=agreement, base_version_number=locked.base_version.number,
        title=locked.base_version.title, variables={}, clause_bodies=bodies, change_summary=summary[:300],
    )
    locked.applied_version, locked.applied_at = version, timezone.now()
    save_validated(locked, actor)
    return version


__all__ = ["CHANGED", "NOT_FOUND", "UNCHANGED", "compare_with_version", "origin_unchecked", "passages",
           "proposal_rows", "restore_placeholders", "word_import_apply", "word_import_create"]
