"""Placeholder: being written in this session (issue 12); every view here answers 404 until it is built."""

from django.http import Http404


def import_upload(request, *args, **kwargs):
    raise Http404("Not built yet.")


def import_preview(request, *args, **kwargs):
    raise Http404("Not built yet.")
