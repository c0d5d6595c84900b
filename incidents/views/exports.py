"""Placeholder: being written in this session (issue 12); every view here answers 404 until it is built."""

from django.http import Http404


def data_sharing(request, *args, **kwargs):
    raise Http404("Not built yet.")


def export_page(request, *args, **kwargs):
    raise Http404("Not built yet.")


def export_download(request, *args, **kwargs):
    raise Http404("Not built yet.")
