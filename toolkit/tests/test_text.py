"""The one text normaliser: what comes in is cleaned or refused, what goes out is always valid."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from toolkit.forms import Form, WorkgroupForm
from toolkit.text import normalise_structure, normalise_text, xml_safe

HOSTILE = ["\x0b", "\x01", "\x1b", "\ud800"]


@pytest.mark.parametrize(("raw", "expected"), [
    ("line one\x0bline two", "line one\nline two"),  # Word's Shift+Enter
    ("a\r\nb\rc", "a\nb\nc"),
    ("page\x0cbreak", "page\nbreak"),
    ("next\x85line\u2028and\u2029more", "next\nline\nand\nmore"),
    ("tab\tstays", "tab\tstays"),
    ("émoji 😀 and ﬁ ligature", "émoji 😀 and ﬁ ligature"),
])
def test_line_breaks_from_other_programs_become_newlines(raw, expected):
    assert normalise_text(raw) == expected


def test_single_line_text_gets_spaces_instead_of_line_breaks():
    assert normalise_text("Riverbend\x0bCrisis\tLine", multiline=False) == "Riverbend Crisis Line"


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x1b", "\x7f", "\x9b", "\ufffe"])
def test_other_control_characters_are_refused_with_their_name_and_position(char):
    with pytest.raises(ValidationError) as caught:
        normalise_text(f"MOU{char}draft")

    message = caught.value.messages[0]
    assert f"U+{ord(char):04X}" in message
    assert "position 4" in message


def test_a_lone_surrogate_is_refused_as_a_broken_character():
    with pytest.raises(ValidationError, match="broken character"):
        normalise_text("caf\ud800")


def test_json_is_normalised_everywhere_and_errors_say_where():
    assert normalise_structure({"nodes": [{"text": "a\x0bb"}]}) == {"nodes": [{"text": "a\nb"}]}
    with pytest.raises(ValidationError, match=r"nodes\[1\]\.text"):
        normalise_structure({"nodes": [{"text": "fine"}, {"text": "bad\ud800"}]})


@given(st.text())
def test_xml_safe_output_always_parses_as_xml(text):
    element = etree.Element("p")
    element.text = xml_safe(text)  # lxml refuses invalid XML characters outright
    assert etree.fromstring(etree.tostring(element)).text in (None, element.text)


@given(st.text())
def test_normalised_text_is_always_xml_safe(text):
    try:
        cleaned = normalise_text(text)
    except ValidationError:
        return
    assert xml_safe(cleaned) == cleaned
    cleaned.encode("utf-8")  # never a lone surrogate


class _NoteForm(Form):
    from django import forms

    title = forms.CharField()
    body = forms.CharField(widget=forms.Textarea)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)


def test_forms_normalise_what_people_paste_and_leave_passwords_alone():
    form = _NoteForm({"title": "Draft\x0bMOU", "body": "one\x0btwo", "password": "p\x0bw"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"title": "Draft MOU", "body": "one\ntwo", "password": "p\x0bw"}


@pytest.mark.parametrize("char", ["\x01", "\x1b", "\ud800"])
def test_forms_refuse_what_documents_cannot_hold_next_to_the_field(char):
    form = _NoteForm({"title": f"Draft{char}", "body": "ok", "password": "x"})

    assert not form.is_valid()
    assert "cannot be kept in documents" in str(form.errors["title"]) or "broken character" in str(form.errors["title"])


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x0b", "\x01", "\x1b"])
def test_the_settings_page_keeps_what_was_typed_and_says_what_is_wrong(client, workgroup, coordinator, char):
    client.force_login(coordinator)
    data = {"name": f"Riverbend{char}Council", "jurisdiction_type": "county", "jurisdiction_name": "Riverbend",
            "goal": "interoperability", "description": "x"}

    response = client.post("/w/riverbend/settings/", data)

    workgroup.refresh_from_db()
    if char == "\x0b":
        assert response.status_code == 302
        assert workgroup.name == "Riverbend Council"
    else:
        assert response.status_code == 400
        assert workgroup.name == "Riverbend County Workgroup"
        assert response.context["form"]["name"].value() == data["name"]


@pytest.mark.django_db
def test_a_raw_lone_surrogate_in_a_posted_form_is_not_a_server_error(client, workgroup, coordinator):
    """Browsers never send one, but a hand-made request can (as UTF-8-encoded surrogate bytes)."""
    client.force_login(coordinator)
    body = ("name=Riverbend%ED%A0%80Council&jurisdiction_type=county&jurisdiction_name=Riverbend"
            "&goal=interoperability&description=x")

    response = client.post("/w/riverbend/settings/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code in (302, 400)
    workgroup.refresh_from_db()
    workgroup.name.encode("utf-8")  # whatever was stored is valid text


def test_every_form_in_the_project_goes_through_the_normaliser():
    import importlib
    import inspect
    import pkgutil

    from django import forms

    import agreements
    import partners
    import readiness
    import toolkit
    import triage

    forms_found = []
    for package in (toolkit, partners, readiness, agreements, triage):
        for module_info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".tests" in module_info.name or ".migrations" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and issubclass(cls, forms.BaseForm):
                    forms_found.append(cls)
    assert len(forms_found) > 30 and WorkgroupForm in forms_found
    outside = sorted(f"{c.__module__}.{c.__name__}" for c in forms_found
                     if not issubclass(c, (Form, ModelForm_())))
    assert outside == []


def ModelForm_():  # noqa: N802  (late import keeps the module list above readable)
    from toolkit.forms import ModelForm

    return ModelForm


def test_a_broken_character_in_a_json_key_gives_a_message_that_can_be_shown():
    with pytest.raises(ValidationError) as caught:
        normalise_structure({"no\ud800de": {"text": "x\x01"}})

    caught.value.messages[0].encode("utf-8")


def test_fields_added_after_the_form_was_built_are_normalised_too():
    from django import forms

    form = _NoteForm({"title": "a", "body": "b", "password": "p", "extra": "one\x0btwo"})
    form.fields["extra"] = forms.CharField(widget=forms.Textarea)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["extra"] == "one\ntwo"


def test_an_empty_post_binds_the_form():
    from django.test import RequestFactory

    from toolkit.forms import form_data

    assert form_data(RequestFactory().post("/", {})) is not None
    assert form_data(RequestFactory().get("/")) is None
