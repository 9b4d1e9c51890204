"""Checks every browser test gets on every page it visits (installed by tests/browser.py's
new_page, so every test that opens a page is covered):

- no Content-Security-Policy violation: the page's `securitypolicyviolation` events and the
  console's "Content Security Policy" errors are collected, and any one fails the test;
- accessibility: axe-core (vendored in tests/vendor/axe-core, never fetched) runs on each page
  once it has loaded, and again on each open page's final state when the test ends; a serious or
  critical violation of WCAG 2.2 A/AA or of axe's best practices fails the test.

`assert_accessible(page)` runs axe at once, for a state worth checking in the middle of a test
(a dialog open, an htmx swap done).
"""

from dataclasses import dataclass, field
from pathlib import Path

import pytest

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
# Pages drawn by third-party code we do not template: Django's admin and the API docs' Swagger UI
# (for managers and developers, not the staff workspace, portal or dashboard). The CSP check still
# covers them; axe does not.
NOT_OURS = ["/admin/", "/api/docs/"]

# Runs in every document before the page's own scripts. Playwright injects it outside the page's
# policy, so the checker itself is no CSP violation. Only the top document is checked.
PAGE_SCRIPT = """
(() => {
  if (window.top !== window) return;
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__pageChecksCsp({
      page: location.href, directive: event.effectiveDirective,
      blocked: event.blockedURI, source: event.sourceFile, line: event.lineNumber,
      sample: event.sample,
    });
  });
  window.__pageChecksAxe = (label) => {
    if (%(not_ours)s.some((prefix) => location.pathname.startsWith(prefix))) return Promise.resolve([]);
    const check = () => axe.run(document, {runOnly: {type: "tag", values: %(tags)s},
                                           resultTypes: ["violations"]})
      .then((results) => {
        const found = results.violations
          .filter((v) => %(impacts)s.includes(v.impact))
          .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")
                          + " " + (n.failureSummary || "").replace(/\\s+/g, " "))}));
        window.__pageChecksAxeResult(label || location.href, found);
        return found;
      });
    // axe refuses a second run while one is going: each waits for the last.
    window.__pageChecksLast = (window.__pageChecksLast || Promise.resolve()).then(check, check);
    return window.__pageChecksLast;
  };
  window.addEventListener("load", () => setTimeout(() => window.__pageChecksAxe(), 0));
})();
"""


@dataclass
class PageChecks:
    csp_violations: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    pages: list = field(default_factory=list)

    def install(self, context) -> None:
        context.add_init_script(script=AXE_SOURCE)
        context.add_init_script(
            script=PAGE_SCRIPT
            % {"tags": AXE_TAGS, "impacts": sorted(FAILING_IMPACTS), "not_ours": NOT_OURS}
        )
        context.expose_binding("__pageChecksCsp", self._csp_event)
        context.expose_binding("__pageChecksAxeResult", self._axe_result)
        context.on("page", self.watch)

    def watch(self, page) -> None:
        self.pages.append(page)
        page.on("console", self._console)

    def _csp_event(self, source, violation: dict) -> None:
        self.csp_violations.append(
            "{page}: {directive} blocked {blocked} ({source}:{line}) {sample}".format(**violation)
        )

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"console: {message.text}")

    def _axe_result(self, source, label: str, violations: list[dict]) -> None:
        for violation in violations:
            nodes = "; ".join(violation["nodes"])
            self.accessibility.append(
                f"{label}: {violation['id']} ({violation['impact']}) {violation['help']}: {nodes}"
            )

    def finish(self) -> None:
        """Check each open page's final state, wait for every run, then fail on what was found."""
        for page in self.pages:
            if page.is_closed():
                continue
            try:
                page.wait_for_load_state()
                page.evaluate("window.__pageChecksAxe && window.__pageChecksAxe(location.href)")
            except Exception as error:  # a page mid-navigation when the test ended
                if "Execution context was destroyed" not in str(error):
                    raise
        problems = []
        if self.csp_violations:
            problems.append("Content-Security-Policy violations:\n  " + dedupe(self.csp_violations))
        if self.accessibility:
            problems.append("Accessibility (axe-core):\n  " + dedupe(self.accessibility))
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)


def dedupe(lines: list[str]) -> str:
    return "\n  ".join(dict.fromkeys(lines))


def assert_accessible(page) -> None:
    """Run axe on the page as it is now: no serious or critical violation."""
    found = page.evaluate("window.__pageChecksAxe(location.href + ' (mid-test)')")
    assert not found, found
