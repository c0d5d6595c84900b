"""Hostile values, and posting one spoiled form: the machinery of test_forms_hostile.

``Target`` is a form found by the crawl (``form_crawl``); ``spoil`` draws one field and a hostile value
for it; ``run_one`` posts the form with that field spoiled, in a savepoint rolled back afterwards, and
asserts what every answer must hold (see test_forms_hostile's docstring).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import strategies as st

from toolkit.tests.form_crawl import CSRF, Field, FoundForm, forms_in
from toolkit.tests.url_world import SECRET

# Hidden or trap fields a form sets afresh on purpose when it shows itself again: not the person's input.
REISSUED = {
    "started": "the public intake form's time stamp is issued anew (incidents.forms_intake.refreshed)",
    "website": "the intake form's trap for robots is emptied (ditto)",
}

@dataclass
class Target:
    key: str
    who: str  # the role (or "anonymous") whose client posts it
    form: FoundForm
    theirs: FoundForm | None  # the same form in the other workgroup, for its ids


# --- Hostile values ------------------------------------------------------------------------------

CONTROL = ["\x00", "a\x00b", "\x01", "\x07", "\x08", "\x1b[31m", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff",
           "\x0b", "\x0c", "\r", "\t"]
ODD_UNICODE = ["\ud800", "a\udfffb", "\ufffe", "\uffff", "\U0010ffff", "\u202e", "evil\u202etxt.exe", "\u200b",
               "\u200d", "e\u0301\u0301\u0301\u0301", "\U0001f600", "\u0000\u202e", "ﬃ", "İ", "\u00a0", "　"]
MARKUP = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "'\"`", "{{ 7|add:7 }}", "{% now 'Y' %}",
          "[[parties]]", "<!--", "]]>", "&amp;&lt;", "javascript:alert(1)"]
SQLISH = ["' OR '1'='1", "1; DROP TABLE toolkit_workgroup; --", "%", "_", "\\", "1' --", "NULL", "None", "null"]
NUMBERS = ["-1", "0", "-0", "1e309", "NaN", "nan", "inf", "-inf", "Infinity", "9" * 40, "-" + "9" * 40, "1.5", "0x10",
           " 1 ", "１２", "1_000", "1e3", "0.0000001", "2147483648", "-2147483649", "9223372036854775808"]
DATES = ["2025-02-30", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01", "2025-13-01", "tomorrow", "-2025-01-01",
         "2025-03-04T25:00", "0001-01-01T00:00", "9999-12-31T23:59", "2025-03-04T14:05:99", "1970-01-01", "2025-3-4",
         "04/03/2025", "2025-03-04 14:05+99:00"]
CHOICES = ["not-a-choice", "", " ", "0", "-1", "999999999", "__all__", "on", "true"]


def _text(fld: Field) -> st.SearchStrategy[str]:
    limit = fld.maxlength or 255
    return st.one_of(
        st.sampled_from(CONTROL + ODD_UNICODE + MARKUP + SQLISH),
        st.sampled_from([limit + 1, limit * 4 + 3, 20_000, 100_001]).map(lambda n: ("Long😀 " * n)[:n]),
        st.text(st.characters(codec=None, exclude_categories=()), min_size=1, max_size=40),
    )


def _hostile(fld: Field, foreign_ids: list[str]) -> st.SearchStrategy[object]:
    """One hostile value for ``fld``: a string, a list of strings (a scalar sent twice), or a file."""
    scalars = [_text(fld), st.sampled_from(NUMBERS + DATES + CHOICES)]
    if foreign_ids:
        scalars.append(st.sampled_from(foreign_ids))
    if fld.kind == "file":
        return st.builds(_hostile_file, st.sampled_from(["a\x00b.csv", "../../etc/passwd", "x" * 300 + ".csv",
                                                         "\u202egpj.exe", "evil<script>.docx", ".csv", "con.pdf",
                                                         "naïve\ud800.pdf", " "]),
                         st.sampled_from([b"", b"\x00\xff\xfe", b"%PDF-1.7\n", b"PK\x03\x04junk", b"a,b\n\x00,1\n"]))
    value = st.one_of(*scalars)
    return st.one_of(value, st.lists(value, min_size=2, max_size=3))


def _hostile_file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name.encode("utf-8", "surrogatepass").decode("utf-8", "replace"), content)


# --- Posting one spoiled form ------------------------------------------------------------------

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)
_NOT_DATA = re.compile(r'"(django_session|axes_[a-z_]+)"')
_ACCESS_AUDIT = re.compile(r'^\s*INSERT INTO "toolkit_auditevent".*\b(viewed|exported|downloaded)\b', re.S)
_ERROR_MARKERS = ("is-invalid", "invalid-feedback", "data-form-error", "errorlist", "alert-danger")


class _Rollback(Exception):
    def __init__(self, response):
        self.response = response


def _as_sent(value: str) -> str:
    """What the server receives for text with a lone surrogate: a browser cannot encode one in UTF-8."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _clean(data: dict) -> dict:
    cleaned = {}
    for name, value in data.items():
        if isinstance(value, list):
            cleaned[name] = [_as_sent(v) if isinstance(v, str) else v for v in value]
        else:
            cleaned[name] = _as_sent(value) if isinstance(value, str) else value
    return cleaned


def post_rolled_back(client: Client, url: str, data: dict, *, before_rollback=None):
    """One POST inside a savepoint that is rolled back; returns (response, writes, what ``before_rollback``
    found in the database as the request left it). Cookies are put back."""
    cookies = copy.deepcopy(client.cookies)
    found = None
    # The rate limits (intake reports per address, sign-in failures) count in the cache, which no savepoint
    # rolls back: without this, later examples would meet a 429 instead of the form's own checks.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic():
                response = client.post(url, _clean(data))
                if before_rollback is not None:
                    found = before_rollback(response)
                raise _Rollback(response)
        except _Rollback as done:
            response = done.response
    client.cookies = cookies
    writes = [q["sql"][:200] for q in queries.captured_queries
              if _WRITE.match(q["sql"]) and not _NOT_DATA.search(q["sql"]) and not _ACCESS_AUDIT.match(q["sql"])]
    return response, writes, found


def _workgroup_fk(model) -> bool:
    try:
        return model._meta.get_field("workgroup").many_to_one
    except FieldDoesNotExist:
        return False


def cross_workgroup_links() -> list[str]:
    """Rows of one workgroup that point at another workgroup's rows (foreign keys and many-to-many)."""
    found = []
    for model in django_apps.get_models():
        if not _workgroup_fk(model):
            continue
        for fk in model._meta.concrete_fields:
            if fk.many_to_one and fk.name != "workgroup" and _workgroup_fk(fk.related_model):
                bad = (model._default_manager.filter(**{f"{fk.name}__isnull": False})
                       .exclude(**{f"{fk.name}__workgroup_id": F("workgroup_id")}))
                found += [f"{model._meta.label}.{fk.name} of #{pk}" for pk in bad.values_list("pk", flat=True)[:3]]
        for m2m in model._meta.many_to_many:
            if _workgroup_fk(m2m.related_model):
                through = m2m.remote_field.through
                source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
                bad = through._default_manager.exclude(
                    **{f"{source}__workgroup_id": F(f"{target}__workgroup_id")})
                found += [f"{model._meta.label}.{m2m.name} of #{pk}"
                          for pk in bad.values_list(f"{source}_id", flat=True)[:3]]
    return found


def _error_messages(response) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", []) if storage is not None else []
    return [str(m) for m in queued if m.level_tag in {"error", "warning"}]


def _refused(response, body: str) -> bool:
    if response.status_code in {400, 403, 404, 405, 409, 413, 422, 429}:
        return True
    if response.status_code == 200:
        return any(marker in body for marker in _ERROR_MARKERS)
    if response.status_code in {301, 302, 303}:
        return bool(_error_messages(response))
    return False


def _offered(fld: Field) -> set[str]:
    # A radio group with nothing picked posts nothing, which a form reads as "": that is no answer, not a value.
    return set(fld.options) | ({""} if fld.kind == "radio" else set())


def check_kept(target: Target, body: str, posted: dict, spoiled: str) -> list[str]:
    """Every field but the spoiled one comes back as posted, in the re-rendered copy of the same form."""
    again = [form for form in forms_in(body, target.form.page) if form.action == target.form.action]
    typed = {name: value for name, value in posted.items()
             if name not in {spoiled, CSRF, *REISSUED} and name in target.form.fields
             and target.form.fields[name].kind not in {"password", "file", "hidden"} and value not in ("", None)}
    if not again:
        return [f"the refusal did not show the form again, so these were lost: {sorted(typed)}"] if typed else []
    fields = again[0].fields
    lost = []
    for name, value in posted.items():
        fld = target.form.fields.get(name)
        if name in {spoiled, CSRF, *REISSUED} or fld is None or fld.kind in {"password", "file"}:
            continue
        if name not in fields:
            if name in typed:
                lost.append(f"{name!r}: posted {value!r:.80}, no longer in the form")
            continue
        shown = fields[name].value
        expected = _as_sent(value) if isinstance(value, str) else value
        if fld.kind == "textarea" and isinstance(shown, str):
            shown, expected = shown.replace("\r\n", "\n"), expected.replace("\r\n", "\n")
        if isinstance(expected, list) or isinstance(shown, list):
            same = sorted(expected if isinstance(expected, list) else [expected]) == sorted(
                shown if isinstance(shown, list) else ([] if shown is None else [shown]))
        else:
            same = (shown or "") == (expected or "")
        if not same:
            lost.append(f"{name!r}: posted {expected!r:.80}, shown {shown!r:.80}")
    return lost


def foreign_ids(target: Target) -> list[str]:
    """Values the other workgroup's copy of this form offers that ours does not: their rows' ids."""
    if target.theirs is None:
        return []
    ours = {value for fld in target.form.fields.values() for value in fld.options}
    return sorted({value for fld in target.theirs.fields.values() for value in fld.options
                   if value and value not in ours and value.isdigit()})


def spoil(target: Target):
    names = [name for name in target.form.fields if name != CSRF]
    foreign = foreign_ids(target)

    @st.composite
    def spoiled(draw):
        name = draw(st.sampled_from(names))
        fld = target.form.fields.get(name)  # None: a field the form does not have (UNEXPECTED)
        how = draw(st.sampled_from(["hostile", "hostile", "hostile", "missing"]))
        value = None if how == "missing" else draw(_hostile(fld, foreign))
        return name, value
    return spoiled()


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""  # a download: nothing re-rendered
    return response.content.decode("utf-8", errors="replace")


def run_one(target: Target, client: Client, name: str, value) -> None:
    data = target.form.data()
    fld = target.form.fields.get(name)  # None: a field the form does not have (UNEXPECTED)
    files = {}
    if value is None:
        data.pop(name, None)
    elif isinstance(value, SimpleUploadedFile):
        files[name] = value
    else:
        data[name] = value
    foreign = set(foreign_ids(target))
    sent = set(value) if isinstance(value, list) else {value}
    # Another workgroup's id was sent: whatever the answer, no row of ours may point at theirs afterwards.
    check_links = (lambda response: cross_workgroup_links()) if foreign & sent else None
    response, writes, links = post_rolled_back(client, target.form.action, {**data, **files},
                                               before_rollback=check_links)
    body = _body(response)
    where = f"{target.key} ({target.form.action}) field {name!r} = {value!r:.120}"
    assert response.status_code < 500, f"{where}: server error {response.status_code}"
    assert SECRET not in body, f"{where}: shows the other workgroup's data"
    assert not links, f"{where}: linked rows across workgroups: {links}"
    refused = _refused(response, body)
    if refused:
        assert writes == [], f"{where}: refused ({response.status_code}) but wrote {writes[:3]}"
        if response.status_code in {200, 400, 409, 422} and "<form" in body:
            lost = check_kept(target, body, data, name)
            assert lost == [], f"{where}: the re-rendered form lost input: {lost[:4]}"
    elif fld is not None and fld.kind in {"select", "radio"} and value is not None:
        offered = _offered(fld)
        sent = value if isinstance(value, list) else [value]
        unknown = [v for v in sent if isinstance(v, str) and v not in offered]
        if unknown and not fld.multiple and isinstance(value, list):
            unknown = [] if sent[-1] in offered else unknown  # a scalar sent twice: the last one counts
        assert not unknown or not writes, (
            f"{where}: accepted a value the form never offered ({unknown}) and wrote {writes[:2]}")


# Posted beside a form's own fields where it has none to spoil (a confirm button): the action must still
# answer cleanly, write nothing if it refuses, and show nothing of the other workgroup.
UNEXPECTED = ("unexpected", "<script>alert(1)</script>\x00\u202e")


def usual_crashers(fld: Field, foreign_ids: list[str]) -> list[str]:
    """The values that most often get past a form and break the database or date arithmetic."""
    if fld.kind in {"checkbox", "file", "password"}:
        return []
    if fld.kind in {"select", "radio"}:
        return [*foreign_ids[:1], "99999999999999999999"]
    if fld.kind == "number":
        return ["1e309", "NaN", "-" + "9" * 30]
    if fld.kind == "date":
        return ["9999-12-31", "0001-01-01"]
    if fld.kind == "datetime-local":
        return ["9999-12-31T23:59", "0001-01-01T00:00"]
    if fld.kind == "month":
        return ["9999-12", "0001-01"]
    long_text = "y" * ((fld.maxlength or 4999) + 1)  # past the field's limit, or past any likely column width
    return ["a\x00b", long_text, "99999999999999999999"] if fld.kind == "hidden" else ["a\x00b", long_text]
