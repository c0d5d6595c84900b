"""Placeholder: being written in this session (issue 12); every view here answers 404 until it is built."""

from django.http import Http404


def intake_link(request, *args, **kwargs):
    raise Http404("Not built yet.")


def intake_report(request, *args, **kwargs):
    raise Http404("Not built yet.")
