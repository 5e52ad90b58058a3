"""A force's name on a page, marked with its language where it differs from the page's."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from incidents.models import Force

register = template.Library()


@register.filter
def force_name(force: Force, form: str = "") -> SafeString:
    """The force's name in the page's language ("short": its short name), in a span with
    lang="en-GB" on a Welsh page for a force whose name is English only."""
    name = force.local_short_name if form == "short" else force.name
    if force.name_lang:
        return format_html('<span lang="{}">{}</span>', force.name_lang, name)
    return format_html("{}", name)
