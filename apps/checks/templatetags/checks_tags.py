"""Template helpers of the findings panel."""

from __future__ import annotations

from django import template

from apps.checks.finding_rules import (
    may_add_title_alias,
    may_set_finding_state,
    unknown_title_of,
)
from apps.checks.models import Finding

register = template.Library()


@register.filter
def unknown_title(finding):
    """(wording, [(position, office label)]) of a "cannot check" title finding, else None."""
    found = unknown_title_of(finding)
    if found is None:
        return None
    title, offices = found
    return {"title": title, "offices": [(i, label) for i, (_, label) in enumerate(offices)]}


@register.simple_tag
def finding_offers(finding, user) -> dict[str, bool]:
    """What the findings panel offers `user` for this finding: exactly what
    apps.checks.finding_rules lets them do (the service refuses through the same rules)."""
    offers = {
        verb: may_set_finding_state(user=user, finding=finding, state=state)
        for verb, state in _STATE_ACTIONS.items()
    }
    offers["title_alias"] = may_add_title_alias(user=user, finding=finding)
    offers["any_state"] = any(offers[verb] for verb in _STATE_ACTIONS)
    return offers


_STATE_ACTIONS = {
    "acknowledge": Finding.State.ACKNOWLEDGED,
    "resolve": Finding.State.RESOLVED,
    "dismiss": Finding.State.DISMISSED,
    "reopen": Finding.State.OPEN,
}
