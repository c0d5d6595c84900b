from django import template

from toolkit.guidance import topics_for_app

register = template.Library()


@register.simple_tag
def guidance_for_app(app: str):
    """The guidance topics that explain an area, for its pages' "Read first" links."""
    return topics_for_app(app)
