"""axe-core in the page: serious and critical accessibility violations, and a readable report."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "src/wholeplace/web/static/vendor/axe.min.js"


def _serious(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run()")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']}: {v['help']} ({v['helpUrl']})")
        lines += [f"    {n['target']}: {n.get('failureSummary', '')}" for n in v["nodes"][:5]]
    return "\n".join(lines)
