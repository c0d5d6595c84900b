"""Guidance topics and the resource library: public pages, plus the links from each feature area."""

from __future__ import annotations

import html
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from toolkit import guidance
from toolkit.guidance_data import CATEGORIES, RESOURCES, TOPICS

TOPIC_SLUGS = [topic.slug for topic in TOPICS]
AREAS = ["partners", "readiness", "agreements", "triage", "incidents"]
RESOURCES_URL = "/resources/"


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _shown_count(response) -> str:
    match = re.search(r'data-testid="resource-count">([^<]*)<', response.content.decode())
    assert match is not None
    return match.group(1).strip()


# --- Topics -------------------------------------------------------------------------


def test_the_guidance_index_lists_every_topic(client, db):
    response = client.get("/guidance/")

    assert response.status_code == 200
    for topic in TOPICS:
        assert topic.title in _text(response)
        assert f'href="/guidance/{topic.slug}/"' in response.content.decode()


@pytest.mark.parametrize("slug", TOPIC_SLUGS)
def test_each_topic_is_readable_without_an_account(client, db, slug):
    response = client.get(f"/guidance/{slug}/")

    assert response.status_code == 200
    assert f'<h1 class="h2">{html.escape(guidance.topic_get(slug).title)}</h1>' in response.content.decode()


def test_an_unknown_topic_is_not_found(client, db):
    assert client.get("/guidance/no-such-topic/").status_code == 404


@pytest.mark.parametrize("slug", TOPIC_SLUGS)
def test_each_topic_template_renders_its_links(slug):
    # A broken {% url %} raises NoReverseMatch here, before any page would show it.
    rendered = render_to_string(guidance.template_for(guidance.topic_get(slug)), {})

    assert rendered.strip()


@pytest.mark.parametrize("slug", TOPIC_SLUGS)
def test_links_between_topics_point_to_topics_that_exist(slug):
    rendered = render_to_string(guidance.template_for(guidance.topic_get(slug)), {})

    for linked in re.findall(r'href="/guidance/([^/"]+)/"', rendered):
        assert guidance.topic_get(linked) is not None, f"{slug} links to a missing topic {linked!r}"


def test_the_liability_topic_compares_perception_with_reality(client, db):
    response = client.get("/guidance/liability-concerns/")

    content = response.content.decode()
    assert "<table" in content
    before_table, _, rest = content.partition("<table")
    table = rest[: rest.index("</table>")]
    assert "Perception and reality" in before_table[-300:]
    assert table.count("<th>") == 2  # the worry, and what the toolkit found
    for worry in ("HIPAA", "Negligence", "Contractual risks"):
        assert f"<strong>{worry}:</strong>" in table
    assert table.count("<td>") == 6


def test_a_topic_lists_only_its_own_resources(client, db):
    response = client.get("/guidance/liability-concerns/")

    shown = response.context["resources"]
    assert shown
    assert {resource.topic for resource in shown} == {"liability-concerns"}


# --- Resource library ---------------------------------------------------------------


def test_the_library_without_a_query_lists_every_resource(client, db):
    response = client.get(RESOURCES_URL)

    assert response.status_code == 200
    assert _shown_count(response) == f"{len(RESOURCES)} resources"
    assert len(response.context["resources"]) == len(RESOURCES)


def test_searching_for_hipaa_narrows_the_list_to_hipaa_resources(client, db):
    response = client.get(RESOURCES_URL, {"q": "HIPAA"})

    found = response.context["resources"]
    assert 0 < len(found) < len(RESOURCES)
    for resource in found:
        assert "hipaa" in f"{resource.title} {resource.description}".lower()
        assert resource.title in _text(response)
    assert _shown_count(response).startswith(f"{len(found)} resource")


def test_the_search_ignores_case(client, db):
    upper = client.get(RESOURCES_URL, {"q": "HIPAA"}).context["resources"]
    lower = client.get(RESOURCES_URL, {"q": "hipaa"}).context["resources"]

    assert upper == lower


def test_the_category_filter_keeps_only_that_category(client, db):
    expected = [resource for resource in RESOURCES if resource.category == "Training"]

    response = client.get(RESOURCES_URL, {"category": "Training"})

    found = response.context["resources"]
    assert {resource.category for resource in found} == {"Training"}
    assert len(found) == len(expected)
    assert '<option value="Training" selected>' in response.content.decode()


def test_an_unknown_category_is_ignored_rather_than_emptying_the_list(client, db):
    response = client.get(RESOURCES_URL, {"category": "Not a category"})

    assert response.status_code == 200
    assert len(response.context["resources"]) == len(RESOURCES)


def test_a_query_without_matches_says_so(client, db):
    response = client.get(RESOURCES_URL, {"q": "zebra xylophone"})

    assert response.context["resources"] == []
    assert "No resources match. Try fewer words or another category." in _text(response)


def test_an_htmx_request_gets_only_the_results(client, db):
    response = client.get(RESOURCES_URL, {"q": "HIPAA"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "<form" not in content
    assert 'data-testid="resource-count"' in content
    assert "HIPAA" in content


def test_every_resource_links_to_https():
    for resource in RESOURCES:
        assert resource.url.startswith("https://"), resource.title


def test_every_resource_belongs_to_a_known_topic_and_category():
    for resource in RESOURCES:
        assert guidance.topic_get(resource.topic) is not None, resource.title
        assert resource.category in CATEGORIES, resource.title


# --- Links from the feature areas ---------------------------------------------------


@pytest.mark.parametrize("area", AREAS)
def test_each_feature_area_links_to_a_guidance_topic(client, member, area):
    client.force_login(member)

    response = client.get(f"/w/riverbend/{area}/")

    assert response.status_code == 200
    linked = set(re.findall(r'href="/guidance/([^/"]+)/"', response.content.decode()))
    assert linked, f"the {area} page links to no guidance topic"
    assert linked <= set(TOPIC_SLUGS)
    assert reverse("toolkit:guidance-topic", args=[guidance.topics_for_app(area)[0].slug]) in response.content.decode()


def test_a_hand_edited_category_does_not_throw_away_the_search_words(client, db):
    response = client.get("/resources/", {"q": "HIPAA", "category": "no such category"})

    titles = re.findall(r'target="_blank">([^<]+)</a>', response.content.decode())
    assert titles
    assert len(titles) < len(RESOURCES)
