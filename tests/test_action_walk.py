"""Offered actions are exactly the allowed actions (issue 13).

For every role × annotation state × finding state this renders what the workspace's detail panel,
its findings panel and the review queue's row offer (each offered action carries a
`data-action="…"` hook in the templates), then asks the service for each action, in a savepoint
that is rolled back, and checks: offered ⇔ accepted. Both sides ask the same rules
(apps.annotations.rules, apps.checks.finding_rules); this walk is what keeps a template from
drifting away from them.

The one deliberate difference, written down as a rule here:
- the review queue offers only the pending work: approve and reject while the item's review is
  pending, verify and send back while its verdict is proposed. The rest (rejecting an approved
  item, sending a verified verdict back, ...) is done from the workspace's panel.

Inputs a form asks for (a note, a verdict, the new words) are given as a person would fill them
in: the walk is about who may act on what, not about input validation (tests/annotations has
that)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from apps.annotations import services as annotation_services
from apps.annotations.models import SPAN_MODELS, AnchorState, Claim, Evidence, Origin, ReviewState
from apps.checks import services as check_services
from apps.checks.models import Finding
from apps.errors import DomainError
from apps.knowledge.models import Entity
from tests.factories import ArticleFactory, EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = {
    "annotator": ("annotator",),
    "reviewer": ("reviewer",),
    "editor": ("editor",),
    "annotating reviewer": ("annotator", "reviewer"),
    "no role": (),
}

BODY = (
    "The minister said unemployment fell by 3% in May. Officials met in Paris on Tuesday. "
    "The talks went on late."
)
TEXT = "unemployment fell by 3% in May"  # every walked annotation is on these words
ORPHAN_TEXT = "unemployment rose by 3% in April"  # what an orphan's words were
ELSEWHERE = "The talks went on late"  # a finding about another sentence
MOVE_TO = "Officials met in Paris"  # where re-attach moves an annotation

KINDS = tuple(SPAN_MODELS)
REVIEW_STATES = tuple(ReviewState.values)
VERDICT_STATES = tuple(Claim.VerdictState.values)
ANCHOR_STATES = (AnchorState.ANCHORED, AnchorState.ORPHANED)
RELATIONS = ("author", "contributor", "other")  # the viewer created it / wrote part / neither
# The findings of a claim's article: (severity, state, about the claim's sentence?) or None.
FINDING_STATES = {
    "none": None,
    "open error": ("error", "open", True),
    "acknowledged error": ("error", "acknowledged", True),
    "resolved error": ("error", "resolved", True),
    "dismissed error": ("error", "dismissed", True),
    "open error elsewhere": ("error", "open", False),
    "open warning": ("warning", "open", True),
}

SPAN_ACTIONS = ("edit", "reattach", "approve", "reject", "delete")
CLAIM_ACTIONS = ("propose-verdict", "verify", "return", "add-evidence")
QUEUE_ACTIONS = ("approve", "reject", "verify", "return")
FINDING_ACTIONS = {
    "acknowledge": Finding.State.ACKNOWLEDGED,
    "resolve": Finding.State.RESOLVED,
    "dismiss": Finding.State.DISMISSED,
    "reopen": Finding.State.OPEN,
}

HX = {"HX-Request": "true"}
_ACTION = re.compile(r'data-action="([a-z-]+)"(?: data-evidence="([0-9a-f-]+)")?')


class _Undo(Exception):
    """Raised inside the savepoint to roll back an accepted action."""


def accepted(call) -> bool:
    """Whether the service does it: True when it returns, False when it refuses with a domain
    error. Either way nothing stays written."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return True
    except DomainError:  # a refusal, of any app
        return False


def offered(html: str) -> set[str]:
    """The data-action hooks of a rendered fragment; evidence removals as remove-evidence:<uuid>."""
    return {f"{name}:{evidence}" if evidence else name for name, evidence in _ACTION.findall(html)}


def disagreement(where: str, place: str, action: str, *, shown: bool, ok: bool) -> list[str]:
    """[] when `place` offers the action exactly when the service accepts it, else why not."""
    if shown == ok:
        return []
    return [
        f"{where}: {place} {'offers' if shown else 'hides'} {action}, "
        f"the service {'accepts' if ok else 'refuses'} it"
    ]


@dataclass
class Case:
    span: object
    label: str


def _user(username: str, groups: tuple[str, ...]):
    user = UserFactory(username=username)
    user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in groups))
    return user


def _finding(article, severity: str, state: str, *, about_claim: bool, **fields) -> Finding:
    text = TEXT if about_claim else ELSEWHERE
    start = BODY.index(text)
    return Finding.objects.create(
        article=article,
        code=fields.pop("code", "WALK"),
        check_version="1",
        severity=severity,
        message=f"A {severity} finding, {state}.",
        fingerprint=f"{severity}-{state}-{about_claim}-{fields.pop('tag', '')}",
        spans=[{"type": "claim", "start": start, "end": start + len(text), "exact": text}],
        state=state,
        state_reason="Looked into it." if state != "open" else "",
        **fields,
    )


def _span(kind, article, *, origin, review, anchor, relation, viewer, other, verdict=None):
    start = BODY.index(TEXT)
    span = SPAN_MODELS[kind].objects.create(
        article=article,
        start=start,
        end=start + len(TEXT),
        exact=ORPHAN_TEXT if anchor == AnchorState.ORPHANED else TEXT,
        origin=origin,
        created_by=viewer if relation == "author" else (other if origin == Origin.MANUAL else None),
        review_state=review,
        reviewed_by=None if review == ReviewState.PROPOSED else other,
        anchor_state=anchor,
        **(_verdict_fields(verdict, other) if kind == "claim" else {}),
    )
    contributors = [other] if origin == Origin.MANUAL else []
    if relation != "other":
        contributors.append(viewer)
    span.contributors.add(*contributors)
    if kind == "claim":
        Evidence.objects.create(claim=span, url="https://example.org/a", created_by=other)
        if relation != "other":
            Evidence.objects.create(claim=span, url="https://example.org/b", created_by=viewer)
    return span


def _verdict_fields(verdict: str, other) -> dict:
    if verdict == Claim.VerdictState.UNVERIFIED:
        return {"verdict_state": verdict}
    fields = {"verdict_state": verdict, "verdict": Claim.Verdict.ACCURATE, "verdict_by": other}
    if verdict == Claim.VerdictState.VERIFIED:
        fields["verified_by"] = other
    if verdict == Claim.VerdictState.RETURNED:
        fields["verdict_note"] = "Needs a source."
    return fields


def _cases(viewer, other) -> list[Case]:
    """Every annotation state, on one article per finding state (all but the claims' finding
    states on the article without findings)."""
    articles = {}
    for name, finding in FINDING_STATES.items():
        articles[name] = ArticleFactory(body=BODY, title=f"Walk: {name}")
        if finding is not None:
            severity, state, about_claim = finding
            _finding(articles[name], severity, state, about_claim=about_claim)
    cases = []
    for kind, origin, review, anchor, relation in itertools.product(
        KINDS, Origin.values, REVIEW_STATES, ANCHOR_STATES, RELATIONS
    ):
        if relation == "author" and origin == Origin.AUTOMATIC:
            continue  # extraction made it: nobody is its author
        verdicts = VERDICT_STATES if kind == "claim" else (None,)
        for verdict in verdicts:
            span = _span(
                kind,
                articles["none"],
                origin=origin,
                review=review,
                anchor=anchor,
                relation=relation,
                viewer=viewer,
                other=other,
                verdict=verdict,
            )
            label = f"{kind} {origin} {review} {anchor} viewer={relation}"
            cases.append(Case(span, label + (f" verdict={verdict}" if verdict else "")))
    # Findings only ever change whether a proposed verdict can be verified: every finding state
    # × relation on a manual, proposed, anchored claim whose verdict is proposed, and (to show
    # that they change nothing else) whose verdict is verified.
    for name, verdict, relation in itertools.product(
        list(FINDING_STATES)[1:],
        (Claim.VerdictState.PROPOSED, Claim.VerdictState.VERIFIED),
        RELATIONS,
    ):
        span = _span(
            "claim",
            articles[name],
            origin=Origin.MANUAL,
            review=ReviewState.PROPOSED,
            anchor=AnchorState.ANCHORED,
            relation=relation,
            viewer=viewer,
            other=other,
            verdict=verdict,
        )
        cases.append(Case(span, f"claim viewer={relation} verdict={verdict} findings: {name}"))
    return cases


def _service_calls(span, viewer) -> dict[str, object]:
    """Each action of the panel, as the service call its form makes."""
    kind = next(k for k, model in SPAN_MODELS.items() if isinstance(span, model))
    version = span.version
    start = BODY.index(MOVE_TO)
    calls = {
        "edit": lambda: annotation_services.annotation_update(
            span=span, user=viewer, expected_version=version, fields={}
        ),
        "reattach": lambda: annotation_services.annotation_reattach(
            span=span,
            user=viewer,
            expected_version=version,
            start=start,
            end=start + len(MOVE_TO),
            exact=MOVE_TO,
        ),
        "approve": lambda: annotation_services.annotation_review(
            span=span, user=viewer, approve=True, expected_version=version
        ),
        "reject": lambda: annotation_services.annotation_review(
            span=span, user=viewer, approve=False, expected_version=version, note="Not a claim."
        ),
        "delete": lambda: annotation_services.annotation_delete(
            span=span, user=viewer, expected_version=version
        ),
    }
    if kind == "claim":
        calls.update(
            {
                "propose-verdict": lambda: annotation_services.claim_verdict_propose(
                    claim=span, user=viewer, verdict="accurate", expected_version=version
                ),
                "verify": lambda: annotation_services.claim_verify(
                    claim=span, user=viewer, expected_version=version
                ),
                "return": lambda: annotation_services.claim_verdict_return(
                    claim=span, user=viewer, expected_version=version, note="Needs a source."
                ),
                "add-evidence": lambda: annotation_services.evidence_add(
                    claim=span, user=viewer, url="https://example.org/c"
                ),
            }
        )
        for evidence in span.evidence.all():
            calls[f"remove-evidence:{evidence.uuid}"] = lambda evidence=evidence: (
                annotation_services.evidence_remove(evidence=evidence, user=viewer)
            )
    return calls


def _queue_pending(action: str, span) -> bool:
    """The queue's rule: only the pending work is offered there."""
    if action in ("approve", "reject"):
        return span.review_state == ReviewState.PROPOSED
    return getattr(span, "verdict_state", "") == Claim.VerdictState.PROPOSED


def _queue_rows(client) -> dict[str, set[str]]:
    """The hooks of every row of the review queue, page by page, by the span's uuid (a span
    that is not in the queue has no row)."""
    rows: dict[str, set[str]] = {}
    page, pages = 1, 1
    while page <= pages:
        response = client.get("/review/", {"page": page})
        if response.status_code == 403:
            return rows
        html = response.content.decode()
        found = re.search(r"Page \d+ of (\d+)", html)
        pages = int(found.group(1)) if found else 1
        parts = re.split(r'<article id="review-[a-z]+-([0-9a-f-]+)"', html)
        for uuid, part in zip(parts[1::2], parts[2::2], strict=True):
            rows[uuid] = offered(part.split("</article>", 1)[0])
        page += 1
    return rows


@pytest.mark.parametrize("role", ROLES)
def test_the_panel_and_the_queue_offer_exactly_what_the_services_accept(client, role):
    viewer = _user("viewer", ROLES[role])
    other = _user("other", ("annotator", "reviewer"))
    cases = _cases(viewer, other)
    client.force_login(viewer)
    queue = _queue_rows(client)
    assert (len(queue) > 0) == (role != "no role")
    mismatches: list[str] = []

    for case in cases:
        span = case.span
        kind = next(k for k, model in SPAN_MODELS.items() if isinstance(span, model))
        panel = client.get(f"/annotations/{kind}/{span.uuid}/", headers=HX)
        assert panel.status_code == (403 if role == "no role" else 200)
        in_panel = offered(panel.content.decode()) if panel.status_code == 200 else set()
        in_row = queue.get(str(span.uuid), set())
        calls = _service_calls(span, viewer)
        for action, call in calls.items():
            ok = accepted(call)
            mismatches += disagreement(
                case.label, "the panel", action, shown=action in in_panel, ok=ok
            )
            if action in QUEUE_ACTIONS:
                mismatches += disagreement(
                    case.label,
                    "the queue (pending work only)",
                    action,
                    shown=action in in_row,
                    ok=ok and _queue_pending(action, span),
                )
        unknown = in_panel - set(calls) - {"create"}
        assert not unknown, f"{case.label}: offered actions the walk does not know: {unknown}"

    assert not mismatches, "\n".join(mismatches[:40]) + f"\n({len(mismatches)} in all)"


@pytest.mark.parametrize("role", ROLES)
def test_creating_is_offered_exactly_to_who_may_create(client, role):
    viewer = _user("viewer", ROLES[role])
    article = ArticleFactory(body=BODY)
    client.force_login(viewer)

    response = client.get(f"/articles/{article.uuid}/")
    start = BODY.index(TEXT)
    ok = accepted(
        lambda: annotation_services.annotation_create(
            article=article,
            kind="claim",
            start=start,
            end=start + len(TEXT),
            exact=TEXT,
            user=viewer,
        )
    )

    assert response.status_code == (403 if role == "no role" else 200)
    html = response.content.decode()
    assert ("create" in offered(html)) == ok
    assert ('id="selection-menu"' in html) == ok


def _findings_of(html: str) -> dict[str, set[str]]:
    """The hooks of each finding of the findings panel, by finding uuid."""
    parts = re.split(r'<li id="finding-([0-9a-f-]+)"', html)
    return {uuid: offered(part) for uuid, part in zip(parts[1::2], parts[2::2], strict=True)}


@pytest.mark.parametrize("role", ROLES)
def test_the_findings_panel_offers_exactly_what_the_service_accepts(client, role):
    viewer = _user("viewer", ROLES[role])
    article = ArticleFactory(body=BODY)
    office = EntityFactory(label="Chancellor of the Exchequer", kind=Entity.Kind.OFFICE)
    findings = []
    for severity, state in itertools.product(("error", "warning"), Finding.State.values):
        findings.append(_finding(article, severity, state, about_claim=True))
    for state in Finding.State.values:  # "cannot check" titles an editor can teach the KB
        findings.append(
            _finding(
                article,
                "info",
                state,
                about_claim=True,
                code="ROLE_AT_DATE",
                tag="title",
                kb_facts=[
                    {"type": "unknown_title", "title": "the Chancellor"},
                    {"type": "office_candidate", "office_id": office.pk, "office": office.label},
                ],
            )
        )
    client.force_login(viewer)

    response = client.get(f"/articles/{article.uuid}/findings/", headers=HX)
    assert response.status_code == (403 if role == "no role" else 200)
    shown = _findings_of(response.content.decode()) if response.status_code == 200 else {}
    mismatches = []
    for finding in findings:
        in_panel = shown.get(str(finding.uuid), set())
        calls = {
            action: lambda state=state, finding=finding: check_services.finding_set_state(
                finding=finding,
                user=viewer,
                state=state,
                reason="Asked the reporter.",
                expected_version=finding.version,
            )
            for action, state in FINDING_ACTIONS.items()
        }
        calls["title-alias"] = lambda finding=finding: check_services.finding_title_alias_add(
            finding=finding, user=viewer, alias="the Chancellor", office_position="0"
        )
        for action, call in calls.items():
            mismatches += disagreement(
                f"{finding.severity} {finding.code} {finding.state}",
                "the findings panel",
                action,
                shown=action in in_panel,
                ok=accepted(call),
            )
        assert in_panel <= set(calls), f"unknown actions offered: {in_panel - set(calls)}"
    assert not mismatches, "\n".join(mismatches)
