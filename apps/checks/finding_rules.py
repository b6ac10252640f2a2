"""Who may do what to a finding, written once (which findings keep a claim from being verified is
apps.checks.blocking). apps.checks.services refuses through the `*_refusal` functions; the
findings panel offers an action only when its `may_*` predicate says yes
(tests/test_action_walk.py checks that they agree).

Pure: a user (with their roles) and a finding as loaded; no query here."""

from __future__ import annotations

from apps.accounts import roles
from apps.annotations.rules import BROKEN_RULE, CONFLICT, NOT_ALLOWED, Refusal
from apps.checks.blocking import BLOCKING_STATES
from apps.checks.models import Finding

# The lifecycle a reviewer moves a finding through: from open to acknowledged (still blocking),
# resolved or dismissed; an acknowledged one on to resolved or dismissed; any of them back to
# open (reopen). A settled finding is reopened before it is settled another way, so that its
# history reads as decisions, not as edits of one.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Finding.State.OPEN: (
        Finding.State.ACKNOWLEDGED,
        Finding.State.RESOLVED,
        Finding.State.DISMISSED,
    ),
    Finding.State.ACKNOWLEDGED: (
        Finding.State.OPEN,
        Finding.State.RESOLVED,
        Finding.State.DISMISSED,
    ),
    Finding.State.RESOLVED: (Finding.State.OPEN,),
    Finding.State.DISMISSED: (Finding.State.OPEN,),
}


# --- The finding's own actions ----------------------------------------------------------------

_VERBS = {
    Finding.State.OPEN: "reopen",
    Finding.State.ACKNOWLEDGED: "acknowledge",
    Finding.State.RESOLVED: "resolve",
    Finding.State.DISMISSED: "dismiss",
}


def finding_state_role_refusal(*, user) -> Refusal | None:
    if not roles.can_review(user):
        return Refusal(
            NOT_ALLOWED,
            "Only reviewers and editors can acknowledge, resolve or dismiss findings.",
        )
    return None


def finding_state_refusal(*, user, finding: Finding, state: str) -> Refusal | None:
    """A reviewer moves the finding along TRANSITIONS. (A note is asked for by the form: to
    dismiss, and to acknowledge an error.)"""
    refusal = finding_state_role_refusal(user=user)
    if refusal is not None:
        return refusal
    if finding.state == state:
        return Refusal(CONFLICT, f"This finding is already {state}.")
    if state not in TRANSITIONS.get(finding.state, ()):
        return Refusal(
            CONFLICT,
            f"This finding is {finding.state}; reopen it before you "
            f"{_VERBS.get(state, 'change')} it.",
        )
    return None


def may_set_finding_state(*, user, finding: Finding, state: str) -> bool:
    return finding_state_refusal(user=user, finding=finding, state=state) is None


def unknown_title_of(finding: Finding) -> tuple[str, list[tuple[int, str]]] | None:
    """(the wording, [(office id, office label)]) of a "cannot check" title finding, else None."""
    facts = [f for f in finding.kb_facts or [] if isinstance(f, dict)]
    title = next((f.get("title") for f in facts if f.get("type") == "unknown_title"), None)
    if not isinstance(title, str) or not title:
        return None
    offices = [
        (f["office_id"], str(f.get("office", "")))
        for f in facts
        if f.get("type") == "office_candidate" and isinstance(f.get("office_id"), int)
    ]
    return title, offices


def finding_title_alias_refusal(*, user, finding: Finding) -> Refusal | None:
    """An editor teaches the knowledge base the wording of a title the checks could not match,
    from a finding that is still open or acknowledged."""
    if not roles.can_edit(user):
        return Refusal(NOT_ALLOWED, "Only editors can change the knowledge base.")
    if unknown_title_of(finding) is None:
        return Refusal(
            BROKEN_RULE, "This finding is not about a title the knowledge base does not know."
        )
    if finding.state not in BLOCKING_STATES:
        return Refusal(
            CONFLICT,
            f"This finding is already {finding.state}; reopen it to settle its title here.",
        )
    return None


def may_add_title_alias(*, user, finding: Finding) -> bool:
    return finding_title_alias_refusal(user=user, finding=finding) is None
