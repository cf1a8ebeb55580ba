"""Accessibility checks for the browser tests: axe-core (vendored from npm in vendor/axe-core) run in
the page, and the page's width at a phone's size.

axe is put into the page through the DevTools protocol (Playwright's `evaluate`), which the pages'
Content-Security-Policy does not govern, so nothing about the pages is loosened for the tests.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, plus axe's best practices (heading order, landmarks) and the rule that a
# control's accessible name contains its visible label (WCAG 2.5.3, "experimental" in axe).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
EXTRA_RULES = {"label-content-name-mismatch": {"enabled": True}}
BLOCKING = {"serious", "critical"}
# Findings that fail whatever axe calls their impact: the issue's own list (skipped heading levels).
ALWAYS_BLOCKING = {"heading-order"}

RUN = """async ([tags, rules]) => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags }, rules, resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


@cache
def _axe_source() -> str:
    return AXE_JS.read_text()


async def axe_findings(page: Any) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (every impact)."""
    if not await page.evaluate("() => typeof axe !== 'undefined'"):
        await page.evaluate(_axe_source())
    return await page.evaluate(RUN, [TAGS, EXTRA_RULES])


def blocking(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["impact"] in BLOCKING or f["id"] in ALWAYS_BLOCKING]


def describe(findings: list[dict[str, Any]]) -> str:
    lines = []
    for finding in findings:
        lines.append(f"{finding['id']} ({finding['impact']}): {finding['help']}")
        for node in finding["nodes"]:
            lines.append(f"    {node['target']}: {node['summary']}".replace("\n", " "))
    return "\n".join(lines)


async def assert_accessible(page: Any, where: str) -> None:
    """No serious or critical axe finding (nor a skipped heading level) on the page as it is now."""
    found = blocking(await axe_findings(page))
    assert not found, f"axe on {where}:\n{describe(found)}"


async def page_width(page: Any) -> int:
    return int(await page.evaluate("() => document.documentElement.scrollWidth"))


async def assert_no_sideways_scroll(page: Any, where: str) -> None:
    width = await page_width(page)
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{where} is {width}px wide in a {viewport}px screen (sideways scrolling)"
