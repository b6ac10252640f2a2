"""axe-core in the tests' Chromium: the npm package (package-lock.json), loaded from the local copy
that `make install` puts in node_modules/ (tools/npm_fetch.py), never from a CDN.

Locally, without that file, the accessibility tests are skipped with the reason; under CI=true
they fail instead (tests/services.py)."""

from __future__ import annotations

from pathlib import Path

from tests.services import require

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# axe's default rule set: WCAG 2.0/2.1/2.2 A and AA, plus its best practices (landmarks, heading
# order, one <h1>...). Nothing is switched off.
RUN_OPTIONS: dict = {"resultTypes": ["violations"]}


def require_axe() -> Path:
    require(
        AXE_JS.exists(),
        f"needs axe-core at {AXE_JS.relative_to(ROOT)}: `make install` fetches it "
        "(or `python tools/npm_fetch.py`)",
    )
    return AXE_JS


def axe_violations(page) -> list[dict]:
    """Run axe on the page as it is now; its violations (axe's JSON). The page's context may
    have loaded axe already (`context.add_init_script(path=AXE_JS)`); else it is added now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate("options => axe.run(document, options)", RUN_OPTIONS)["violations"]


def describe(where: str, violations: list[dict]) -> str:
    """One readable block per violation: the rule, its impact, why, and the elements."""
    lines = []
    for violation in violations:
        lines.append(
            f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl'].split('?')[0]}>"
        )
        for node in violation["nodes"][:8]:
            target = " ".join(" > ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    {target}\n      {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ").strip()
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)
