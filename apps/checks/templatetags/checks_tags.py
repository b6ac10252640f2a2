"""Template helpers of the findings panel."""

from __future__ import annotations

from django import template

from apps.checks.finding_rules import unknown_title_of

register = template.Library()


@register.filter
def unknown_title(finding):
    """(wording, [(position, office label)]) of a "cannot check" title finding, else None."""
    found = unknown_title_of(finding)
    if found is None:
        return None
    title, offices = found
    return {"title": title, "offices": [(i, label) for i, (_, label) in enumerate(offices)]}
