"""The registry of consistency checks: pure functions of (article snapshot, context) that return
findings, each registered under a stable code with a version.

A check never touches the database; `apps.checks.services` loads the inputs in bulk, runs every
registered check and stores the findings. Bump a check's version when its logic changes: the
version is part of every article's inputs fingerprint, so the sweep re-checks everything."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.checks.kbview import CorpusView, KBView
from apps.checks.snapshot import ArticleSnapshot

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class CheckSettings:
    stale_event_days: int = 60


@dataclass
class CheckContext:
    kb: KBView
    corpus: CorpusView = field(default_factory=CorpusView)
    settings: CheckSettings = field(default_factory=CheckSettings)
    # Results shared by the checks of one article (keyed by article id), e.g. its title uses.
    memo: dict = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class FindingDraft:
    """A finding as a check returns it, before it is stored."""

    code: str
    severity: str
    message: str
    # What identifies the problem across runs (e.g. "title:<mention uuid>:not_in_office").
    key: str
    spans: tuple[dict, ...] = ()
    kb_facts: tuple[dict, ...] = ()
    # The facts behind the finding; when they change a dismissed finding opens again.
    inputs: Any = None
    version: str = ""

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.code}\x1f{self.key}".encode()).hexdigest()

    @property
    def inputs_sha256(self) -> str:
        basis = {
            "spans": [
                {k: v for k, v in s.items() if k not in ("start", "end")} for s in self.spans
            ],
            "kb": list(self.kb_facts),
            "inputs": self.inputs,
            "severity": self.severity,
        }
        return hashlib.sha256(canonical_json(basis).encode()).hexdigest()


CheckFunction = Callable[[ArticleSnapshot, CheckContext], list[FindingDraft]]


@dataclass(frozen=True)
class Check:
    code: str
    version: str
    function: CheckFunction
    description: str


CHECKS: dict[str, Check] = {}


def register(code: str, *, version: str, description: str) -> Callable[[CheckFunction], Check]:
    def decorate(function: CheckFunction) -> Check:
        if code in CHECKS and CHECKS[code].function is not function:
            raise RuntimeError(f"Check {code} is registered twice.")
        check = Check(code=code, version=version, function=function, description=description)
        CHECKS[code] = check
        return check

    return decorate


def all_checks() -> list[Check]:
    """Every registered check, in code order (importing the rules registers them)."""
    # Lazy: the rules import this module to register themselves (a cycle within the checks).
    import apps.checks.rules  # noqa: F401

    return [CHECKS[code] for code in sorted(CHECKS)]


def checks_version() -> str:
    return ",".join(f"{c.code}@{c.version}" for c in all_checks())


def run_checks(snapshot: ArticleSnapshot, context: CheckContext) -> dict[str, list[FindingDraft]]:
    """Findings of every check, by code; within a code one finding per problem (key)."""
    results: dict[str, list[FindingDraft]] = {}
    for check in all_checks():
        by_key: dict[str, FindingDraft] = {}
        for draft in check.function(snapshot, context):
            if draft.code != check.code:
                raise RuntimeError(f"{check.code} returned a finding of {draft.code}.")
            stamped = FindingDraft(
                code=draft.code,
                severity=draft.severity,
                message=draft.message,
                key=draft.key,
                spans=draft.spans,
                kb_facts=draft.kb_facts,
                inputs=draft.inputs,
                version=check.version,
            )
            by_key.setdefault(stamped.key, stamped)
        results[check.code] = sorted(by_key.values(), key=lambda d: (_first_start(d), d.key))
    return results


def _first_start(draft: FindingDraft) -> int:
    return min((s.get("start", 0) for s in draft.spans), default=-1)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def span_ref(kind: str, uuid: str, start: int, end: int, body: str) -> dict:
    return {"type": kind, "uuid": uuid, "start": start, "end": end, "exact": body[start:end]}
