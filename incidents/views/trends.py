"""Placeholder: being written in this session (issue 12); every view here answers 404 until it is built."""

from django.http import Http404


def trends(request, *args, **kwargs):
    raise Http404("Not built yet.")


def quarterly_report(request, *args, **kwargs):
    raise Http404("Not built yet.")
