from django import template

from toolkit import jobs
from toolkit.permissions import Action, membership_allows

register = template.Library()


@register.simple_tag(takes_context=True)
def can_do(context, action: str) -> bool:
    """Ask the permission layer from a template: {% can_do "audit.view" as can_audit %}."""
    return membership_allows(context.get("current_membership"), Action(action))


@register.filter
def job_label(job) -> str:
    return jobs.label_for(job)
