"""Accessibility checks with axe-core (from npm, `make axe`) run inside the page under test.

The script is evaluated through Playwright rather than added as a <script> element, so the
site's Content-Security-Policy stays in force for the page's own code and a CSP violation
still fails the test. Every impact level counts: minor and moderate findings fail too.
"""

from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.x A and AA plus axe's best practices (landmarks, headings, region...).
RUN_ONLY = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page, *, context: str | dict | None = None) -> list[dict]:
    """Run axe-core on the page (or on the element matching `context`, or an axe context
    object such as `{"exclude": [".x"]}`) and return violations."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make axe` (installs axe-core from npm)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate(
        """async ([context, tags]) => {
            const result = await window.axe.run(context || document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            });
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }""",
        [context, RUN_ONLY],
    )


def assert_no_axe_violations(page, *, context: str | dict | None = None) -> None:
    """Fail with a readable list when axe-core finds any violation, whatever its impact."""
    violations = axe_violations(page, context=context)
    if violations:
        lines = [f"{page.url}: {len(violations)} axe-core violation(s)"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"][:5])
        pytest.fail("\n".join(lines))
