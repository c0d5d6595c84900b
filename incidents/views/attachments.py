"""Placeholder: being written in this session (issue 12); every view here answers 404 until it is built."""

from django.http import Http404


def attachment_upload(request, *args, **kwargs):
    raise Http404("Not built yet.")


def attachment_download(request, *args, **kwargs):
    raise Http404("Not built yet.")


def attachment_delete(request, *args, **kwargs):
    raise Http404("Not built yet.")
