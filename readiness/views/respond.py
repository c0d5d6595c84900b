"""Stub: being written (views arrive with their helper)."""
from django.http import HttpResponse

from toolkit.permissions import Action, workgroup_view


@workgroup_view(Action.MANAGE_READINESS)
def member_respond(request, pk=None):
    return HttpResponse('todo')


def link_respond(request, slug, token):
    return HttpResponse('todo')
