"""Look-ups over the guidance topics and the resource library (content in guidance_data)."""

from __future__ import annotations

from toolkit.guidance_data import CATEGORIES, RESOURCES, TOPICS, Resource, Topic

_BY_SLUG = {topic.slug: topic for topic in TOPICS}


def topic_list() -> tuple[Topic, ...]:
    return TOPICS


def topic_get(slug: str) -> Topic | None:
    return _BY_SLUG.get(slug)


def topics_for_app(app: str) -> list[Topic]:
    return [topic for topic in TOPICS if app in topic.apps]


def template_for(topic: Topic) -> str:
    return f"toolkit/guidance/topics/{topic.slug}.html"


def resource_search(*, q: str = "", category: str = "", topic: str = "") -> list[Resource]:
    """Every word of the query must appear in the title, description, category or topic title."""
    words = [word for word in q.lower().split() if word]
    found = []
    for resource in RESOURCES:
        if category and resource.category != category:
            continue
        if topic and resource.topic != topic:
            continue
        haystack = " ".join(
            [resource.title, resource.description, resource.category, _BY_SLUG[resource.topic].title]
        ).lower()
        if all(word in haystack for word in words):
            found.append(resource)
    return sorted(found, key=lambda r: (CATEGORIES.index(r.category), r.title.lower()))
