"""axe-core over every page: each URL of the permission-matrix walk that a coordinator may open, and each public
page (sign-in, questionnaire, intake, …) as someone not signed in, loaded in Chromium and checked.

A page fails on any *serious* or *critical* violation, and on anything shown cut off at the right edge of
a 1366 px window (outside any box that scrolls) or a page that scrolls sideways. Every violation, of any impact, is
written to ``test-artifacts/accessibility/part-<n>.json`` (and a readable ``.md`` beside it) for the rest to be
worked through. A new URL is covered without anyone adding it here: the walk finds it (``test_url_matrix.ROUTES``).

axe-core comes from the npm registry (``package.json``, devDependencies) and is read from ``node_modules``;
it is evaluated in the page through the DevTools protocol, which the pages' Content-Security-Policy (no
inline script) does not block.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from toolkit.models import Role
from toolkit.tests.browser import FIND_OVERFLOW, sign_in
from toolkit.tests.test_url_matrix import ROUTES, Route
from toolkit.tests.url_table import expectation
from toolkit.tests.url_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")
DOWNLOADS = {"pdf", "csv", "docx", "json", "svg", "vcf", "zip", "txt", "ics"}  # files, not pages
# Django's admin is Django's, for staff only; the API answers JSON; neither is a page of ours.
SKIPPED_AREAS = {"admin", "api"}
PARTS = 2  # the pages are checked in two tests (a seeded world each), one per pytest-xdist process
RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"],
        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.slice(0, 8).map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
        count: v.nodes.length}));
}"""


def pages(part: int) -> list[tuple[Route, str]]:
    """(route, who) for every page of this part: public pages as nobody signed in, the rest as the coordinator."""
    found = []
    for route in ROUTES:
        expect = expectation(route.key)
        if route.area in SKIPPED_AREAS or expect is None or "GET" not in expect.methods:
            continue
        if expect.anonymous == "open":  # a public page, as the public sees it
            found.append((route, "anonymous"))
        elif Role.COORDINATOR in expect.get:
            found.append((route, Role.COORDINATOR))
    return found[part::PARTS]


def check_page(page, url: str) -> tuple[str, list[dict]] | None:
    """The final URL and axe's violations, or None when the URL is not an HTML page (a download, JSON)."""
    if url.rsplit("/", 1)[-1].rpartition(".")[2] in DOWNLOADS:
        return None
    try:
        response = page.goto(url)
    except PlaywrightError as exc:
        if "Download is starting" in str(exc):  # served as an attachment
            return None
        raise
    if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
        return None
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.url, page.evaluate(RUN_AXE) + cut_off(page)


def cut_off(page) -> list[dict]:
    """Nothing cut off at 1366 px: the page never scrolls sideways and nothing shown lies past the right edge unless
    a box that scrolls (a .table-responsive) holds it. Reported as a serious finding, in axe's shape."""
    found = page.evaluate(FIND_OVERFLOW)
    nodes = [{"target": text, "summary": "past the window's edge"} for text in found["offenders"]]
    if found["scrollWidth"] > found["clientWidth"]:
        nodes.insert(0, {"target": "html", "summary": f"the page is {found['scrollWidth']} px wide"})
    return [{"id": "cut-off", "impact": "serious", "help": "Content past the right edge of a 1366 px window",
             "helpUrl": "", "nodes": nodes[:8], "count": len(nodes)}] if nodes else []


def write_report(directory: Path, name: str, results: dict[str, list[dict]], skipped: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps({"pages": results, "not_pages": skipped}, indent=1))
    lines = [f"# axe-core: {name} of {PARTS}", "", f"{len(results)} pages checked; not pages (downloads, "
             f"redirects away): {len(skipped)}", ""]
    by_rule: dict[str, list[str]] = defaultdict(list)
    for url, violations in results.items():
        for violation in violations:
            by_rule[f"{violation['impact']} · {violation['id']} — {violation['help']}"].append(
                f"{url} ({violation['count']}: {'; '.join(n['target'] for n in violation['nodes'][:3])})")
    for rule, urls in sorted(by_rule.items()):
        lines += [f"## {rule}", "", *[f"- {url}" for url in urls], ""]
    if not by_rule:
        lines.append("No violations.")
    (directory / f"{name}.md").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("part", range(PARTS))
def test_every_page_has_no_serious_or_critical_accessibility_violation(part, chromium, live_server, artifacts_dir):
    assert AXE.exists(), "axe-core is missing: run `make install-dev` (npm ci)"
    world = build_world()
    contexts = {}
    results: dict[str, list[dict]] = {}
    skipped: list[str] = []
    failures: list[str] = []
    for route, who in pages(part):
        if who not in contexts:
            contexts[who] = chromium.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
            contexts[who].set_default_timeout(20_000)
            if who != "anonymous":
                signing_in = contexts[who].new_page()
                sign_in(signing_in, world.people[who])
                signing_in.close()
        page = contexts[who].new_page()
        url = route.url(world, world.ours)
        checked = check_page(page, url)
        page.close()
        if checked is None:
            skipped.append(f"{route.key} {url}")
            continue
        final_url, violations = checked
        results[f"{route.key} as {who}: {final_url.removeprefix(live_server.url)}"] = violations
        failures += [f"{route.key} ({url}): {v['impact']} {v['id']} — {v['help']} — "
                     f"{'; '.join(n['target'] for n in v['nodes'][:3])}"
                     for v in violations if v["impact"] in FAILING]
    for context in contexts.values():
        context.close()
    write_report(artifacts_dir / "accessibility", f"part-{part + 1}", results, skipped)

    assert len(results) > 50, f"only {len(results)} pages were checked"
    assert failures == [], f"{len(failures)} serious or critical violation(s):\n" + "\n".join(failures)
