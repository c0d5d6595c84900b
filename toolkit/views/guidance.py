"""Guidance and the resource library: published toolkit material, readable without an account."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from toolkit import guidance
from toolkit.forms import ResourceSearchForm
from toolkit.guidance_data import CATEGORIES


@require_safe
def guidance_index(request: HttpRequest) -> HttpResponse:
    return render(request, "toolkit/guidance/index.html", {"topics": guidance.topic_list()})


@require_safe
def guidance_topic(request: HttpRequest, topic: str) -> HttpResponse:
    topic = guidance.topic_get(topic)
    if topic is None:
        raise Http404("No such guidance topic.")
    context = {
        "topic": topic,
        "topic_template": guidance.template_for(topic),
        "resources": guidance.resource_search(topic=topic.slug),
        "topics": guidance.topic_list(),
    }
    return render(request, "toolkit/guidance/topic.html", context)


@vary_on_headers("HX-Request")  # the same URL answers with a page or a partial
@require_safe
def resource_library(request: HttpRequest) -> HttpResponse:
    form = ResourceSearchForm(request.GET or None, categories=CATEGORIES)
    form.is_valid()  # keep whichever criteria are valid, e.g. the words when a category was hand-edited
    criteria = getattr(form, "cleaned_data", {})
    resources = guidance.resource_search(q=criteria.get("q", ""), category=criteria.get("category", ""))
    template = "toolkit/guidance/_resource_results.html" if request.htmx else "toolkit/guidance/resources.html"
    return render(request, template, {"form": form, "resources": resources, "categories": CATEGORIES})
