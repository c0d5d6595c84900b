"""Stub: being written (views arrive with their helper)."""
from django.http import HttpResponse

from toolkit.permissions import Action, workgroup_view


@workgroup_view(Action.MANAGE_READINESS)
def round_results(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def round_gaps(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def gap_accept(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def round_report(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def round_compare(request, pk=None):
    return HttpResponse('todo')

