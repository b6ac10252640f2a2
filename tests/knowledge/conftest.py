from __future__ import annotations

import pytest


@pytest.fixture
def kb_changes(monkeypatch):
    """The entity ids every KB writer reports to the checks (`kb_changed`), one list per call.
    The real function still runs: this only listens."""
    import apps.checks.services as checks

    calls: list[list[int]] = []
    original = checks.kb_changed

    def listening(*, entity_ids):
        calls.append(list(entity_ids))
        return original(entity_ids=entity_ids)

    monkeypatch.setattr(checks, "kb_changed", listening)
    return calls
