"""axe-core in the page: serious and critical accessibility violations, and a readable report."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "src/wholeplace/web/static/vendor/axe.min.js"


def _serious(page) -> list[dict]:
    # from the app's own static files: the content security policy lets no inline script run
    # except the page's one hashed line, so axe cannot be injected inline
    assert AXE.exists(), f"axe-core is missing at {AXE}: run 'make assets'."
    origin = "/".join(page.url.split("/", 3)[:3])
    page.add_script_tag(url=f"{origin}/static/vendor/axe.min.js")
    result = page.evaluate("axe.run()")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']}: {v['help']} ({v['helpUrl']})")
        lines += [f"    {n['target']}: {n.get('failureSummary', '')}" for n in v["nodes"][:5]]
    return "\n".join(lines)
