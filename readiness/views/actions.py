"""Stub: being written (views arrive with their helper)."""
from django.http import HttpResponse

from toolkit.permissions import Action, workgroup_view


@workgroup_view(Action.MANAGE_READINESS)
def action_list(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def action_create(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def action_edit(request, pk=None):
    return HttpResponse('todo')

