"""Placeholder: being written in this session (issue 12); every view here answers 404 until it is built."""

from django.http import Http404


def after_action_edit(request, *args, **kwargs):
    raise Http404("Not built yet.")


def after_action_pdf(request, *args, **kwargs):
    raise Http404("Not built yet.")
