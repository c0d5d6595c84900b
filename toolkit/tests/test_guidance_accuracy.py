"""Guidance corrected after a domain review: the precise wording is shown, the overstated wording is gone."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from toolkit.guidance_data import TOPICS

TOPIC_SLUGS = [topic.slug for topic in TOPICS]
WRONG_PHRASES = ("rests on the U.S. Constitution", "growing number", "increasingly")


def _article(client, slug: str) -> str:
    response = client.get(f"/guidance/{slug}/")
    assert response.status_code == 200
    content = response.content.decode()
    return content[content.index('<article class="guidance-body">'):content.index("</article>")]


def _text(article: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def test_tribal_sovereignty_is_described_as_inherent_not_granted(signed_in):
    text = _text(_article(signed_in, "tribal-considerations"))

    assert "Tribal sovereignty is inherent: it predates the U.S. Constitution and was not granted by it." in text
    assert "government-to-government relationship" in text


def test_qualified_immunity_is_limited_to_individual_officials_and_federal_claims(signed_in):
    text = _text(_article(signed_in, "liability-concerns"))

    assert "protects individual government officials from damages claims under federal civil-rights law" in text
    assert "42 U.S.C. § 1983" in text
    assert "It does not shield an organization" in text
    assert "not a defense to negligence or other state-law claims" in text
    assert "State immunity statutes" in text and "vary by state" in text


def test_protection_for_988_staff_is_claimed_only_for_some_states(signed_in):
    text = _text(_article(signed_in, "liability-concerns"))

    assert "Some states have begun to cover 988 staff in a similar way." in text


@pytest.mark.parametrize("slug", TOPIC_SLUGS)
def test_no_topic_keeps_the_corrected_wording(signed_in, slug):
    text = _text(_article(signed_in, slug))

    for phrase in WRONG_PHRASES:
        assert phrase.lower() not in text.lower(), f"{slug}: {phrase!r}"
    if "qualified immunity" in text.lower():
        assert "does not shield an organization" in text, f"{slug} mentions qualified immunity without its limits"


@pytest.mark.parametrize("slug", TOPIC_SLUGS)
def test_every_link_in_a_topic_resolves(signed_in, slug):
    article = _article(signed_in, slug)

    for href in re.findall(r'href="([^"]+)"', article):
        if href.startswith("/"):
            resolve(urlsplit(html.unescape(href)).path)  # raises Resolver404 for a missing feature
