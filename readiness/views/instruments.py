"""Stub: being written (views arrive with their helper)."""
from django.http import HttpResponse

from toolkit.permissions import Action, workgroup_view


@workgroup_view(Action.MANAGE_READINESS)
def instrument_list(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def instrument_create(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def instrument_detail(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def instrument_edit(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def version_detail(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def version_edit(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def version_publish(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def version_new_draft(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def dimension_create(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def dimension_edit(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def dimension_delete(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def dimension_move(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def item_create(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def item_edit(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def item_delete(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def item_move(request, pk=None):
    return HttpResponse('todo')

