"""Stub: being written (views arrive with their helper)."""
from django.http import HttpResponse

from toolkit.permissions import Action, workgroup_view


@workgroup_view(Action.MANAGE_READINESS)
def index(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def round_create(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def round_detail(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def round_edit(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def round_close(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def round_reopen(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def round_remind(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def respondents_add_members(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def respondents_add_contacts(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def respondent_add_person(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def respondent_detail(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def respondent_resend(request, pk=None):
    return HttpResponse('todo')


@workgroup_view(Action.MANAGE_READINESS)
def respondent_remove(request, pk=None):
    return HttpResponse('todo')

