"""The app's colours meet WCAG 2.1 AA contrast, and app.css names no colour the palette does not check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from toolkit import palette


def test_the_contrast_arithmetic_matches_wcags_reference_values():
    assert palette.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert palette.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert palette.contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the grey at the limit
    assert palette.contrast_ratio("#0D6EFD", palette.WARNING_ROW) == pytest.approx(4.06, abs=0.01)  # what axe saw
    assert palette.text_on("#0072B2") == "#FFFFFF" and palette.text_on("#F0E442") == "#000000"


@pytest.mark.parametrize("background", palette.BACKGROUNDS)
@pytest.mark.parametrize("foreground", palette.TEXT_ON_ANY_BACKGROUND)
def test_link_and_button_text_reads_on_every_background(foreground, background):
    assert palette.contrast_ratio(foreground, background) >= palette.TEXT_MINIMUM


def test_white_text_reads_on_the_filled_buttons_the_css_colours():
    for fill in (palette.LINK, palette.LINK_HOVER, palette.WARNING_TEXT, palette.INFO_TEXT, palette.DANGER):
        assert palette.contrast_ratio("#FFFFFF", fill) >= palette.TEXT_MINIMUM


def test_app_css_names_only_colours_the_palette_checks():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    named = {colour.upper() for colour in re.findall(r"#[0-9A-Fa-f]{6}\b", css)}
    rgb = {"#{:02X}{:02X}{:02X}".format(*map(int, triple.split(",")))
           for triple in re.findall(r"-rgb:\s*(\d+,\s*\d+,\s*\d+)", css)}

    assert named, "app.css names no colour: has the file moved?"
    assert named - palette.CSS_COLOURS - {"#FFFFFF"} == set()
    assert rgb <= named  # each --…-rgb triple repeats a colour named beside it
