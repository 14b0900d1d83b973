"""Drive Debian's Chromium through the built site, as a reader would.

The site is served from 127.0.0.1 by a local HTTP server. Every request to any other
host is aborted and recorded, so the site must work offline. The checks: every page
typesets its math without MathJax errors or console errors, the dark scheme keeps
notebook output readable, search finds the Jacobian derivation, instant navigation
typesets the new page, and exercise solutions start closed and open on click.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LOCAL_HOST = "127.0.0.1"
# Schemes that never reach the network.
LOCAL_SCHEMES = {"data", "blob", "about"}
MATH_TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


def is_local_url(url: str) -> bool:
    """Tell whether loading `url` stays on this machine's loopback address."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.hostname == LOCAL_HOST


def test_local_url_filter():
    assert is_local_url("http://127.0.0.1:8123/softmax/")
    assert is_local_url("data:image/png;base64,AAAA")
    assert not is_local_url("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
    assert not is_local_url("http://localhost:8123/")
    assert not is_local_url("https://fonts.googleapis.com/css?family=Roboto")


# --- Fixtures ------------------------------------------------------------------------


class Browser:
    """A Chromium context that blocks other hosts and records what went wrong."""

    def __init__(self, context):
        self.context = context
        self.offsite_requests: list[str] = []
        self.console_errors: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            self.offsite_requests.append(url)
            route.abort()

    def new_page(self):
        page = self.context.new_page()
        page.set_default_timeout(MATH_TIMEOUT_MS)

        def record_console(message):
            if message.type == "error":
                self.console_errors.append(f"{page.url}: {message.text}")

        def record_exception(error):
            self.console_errors.append(f"{page.url}: {error}")

        page.on("console", record_console)
        page.on("pageerror", record_exception)
        return page


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        reason = "chromium not installed: browser test skipped; install Debian's chromium package"
        if os.environ.get("SOFTMAX_CE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason.replace("skipped", "required by SOFTMAX_CE_REQUIRE_BROWSER=1"))
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        # executable_path points at Debian's Chromium, so Playwright never downloads one.
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            color_scheme="light",
        )
        try:
            yield Browser(context)
        finally:
            context.close()


@pytest.fixture
def page(browser):
    """A fresh tab; the test fails if it logged an error or left 127.0.0.1."""
    errors_before = len(browser.console_errors)
    offsite_before = len(browser.offsite_requests)
    tab = browser.new_page()
    yield tab
    tab.close()
    offsite = browser.offsite_requests[offsite_before:]
    assert offsite == [], "requests to hosts other than 127.0.0.1"
    assert browser.console_errors[errors_before:] == [], "console errors"


# --- Helpers -------------------------------------------------------------------------


def site_pages(site_dir: Path) -> list[str]:
    """Return the URL path of every page in the built site, such as 'softmax/'."""
    pages = []
    for index in sorted(site_dir.rglob("index.html")):
        relative = index.parent.relative_to(site_dir).as_posix()
        if relative.split("/")[0] in {"assets", "search"}:
            continue
        pages.append("" if relative == "." else f"{relative}/")
    return pages


WAIT_FOR_TYPESETTING = """
async () => {
  // Both MathJax loaders chain their work: the site's configuration on
  // MathJax.startup.promise, mkdocs-jupyter's on its own queue. Wait until neither
  // has more work queued.
  for (let round = 0; round < 20; round++) {
    const before = window.MathJax.startup.promise;
    await before;
    if (window.mkdocsJupyterMathJax) {
      await window.mkdocsJupyterMathJax.refresh();
    }
    if (window.MathJax.startup.promise === before) {
      return;
    }
  }
}
"""

# Every .arithmatex element contains a rendered formula. The test never calls
# MathJax.typesetPromise itself, because that would typeset math that the site's own
# scripts missed and hide the failure this test looks for.
ALL_MATH_TYPESET = """
() => Array.from(document.querySelectorAll(".arithmatex"))
  .every((node) => node.querySelector("mjx-container"))
"""

MATH_REPORT = """
() => {
  const nodes = Array.from(document.querySelectorAll(".arithmatex"));
  const untypeset = nodes.filter((node) => !node.querySelector("mjx-container"));
  return {
    total: nodes.length,
    untypeset: untypeset.slice(0, 3).map((node) => node.textContent.slice(0, 80)),
    errors: Array.from(document.querySelectorAll("mjx-merror, [data-mjx-error]"))
      .slice(0, 3)
      .map((node) => node.getAttribute("data-mjx-error") || node.textContent.slice(0, 80)),
  };
}
"""

# Visible text outside code, with typeset math and scripts left out.
PROSE_TEXT = """
() => {
  const skip = "pre, code, script, style, noscript, textarea, mjx-container";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.parentElement && node.parentElement.closest(skip)
        ? NodeFilter.FILTER_REJECT
        : NodeFilter.FILTER_ACCEPT,
  });
  const parts = [];
  while (walker.nextNode()) parts.push(walker.currentNode.nodeValue);
  return parts.join(" ");
}
"""

RAW_DELIMITER = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]")


def wait_for_math(page) -> dict:
    page.wait_for_function("() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise")
    page.evaluate(WAIT_FOR_TYPESETTING)
    page.wait_for_function(ALL_MATH_TYPESET, timeout=MATH_TIMEOUT_MS)
    return page.evaluate(MATH_REPORT)


def open_page(page, url: str) -> dict:
    page.goto(url, wait_until="load")
    return wait_for_math(page)


def parse_rgb(css_color: str) -> tuple[float, float, float, float]:
    numbers = [float(value) for value in re.findall(r"[\d.]+", css_color)]
    red, green, blue = numbers[:3]
    alpha = numbers[3] if len(numbers) > 3 else 1.0
    return red, green, blue, alpha


def relative_luminance(css_color: str) -> float:
    """WCAG 2 relative luminance of an rgb() or rgba() colour."""
    channels = []
    for value in parse_rgb(css_color)[:3]:
        c = value / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


# Colour of an element's text and of the first opaque background behind it.
COLORS_OF = """
(node) => {
  let backdrop = node;
  let background = "rgba(0, 0, 0, 0)";
  while (backdrop) {
    const color = getComputedStyle(backdrop).backgroundColor;
    if (!/rgba\\(.*,\\s*0\\)$/.test(color) && color !== "transparent") {
      background = color;
      break;
    }
    backdrop = backdrop.parentElement;
  }
  return { text: getComputedStyle(node).color, background };
}
"""


def readable_colors(page, selector: str) -> tuple[str, str]:
    colors = page.locator(selector).first.evaluate(COLORS_OF)
    return colors["text"], colors["background"]


# --- Tests ---------------------------------------------------------------------------


def test_site_pages_typeset_math(browser, site_server, built_site):
    pages = site_pages(built_site)
    assert "softmax/" in pages
    assert "derivations/softmax_jacobian/" in pages

    errors_before = len(browser.console_errors)
    offsite_before = len(browser.offsite_requests)
    raw_delimiters, untypeset, math_errors, failed_loads = {}, {}, {}, {}
    pages_with_math = 0
    tab = browser.new_page()
    try:
        for path in pages:
            try:
                report = open_page(tab, site_server + path)
            except Exception as error:  # a timeout names the page in the message
                failed_loads[path] = str(error).splitlines()[0]
                continue
            pages_with_math += report["total"] > 0
            if report["untypeset"]:
                untypeset[path] = report["untypeset"]
            if report["errors"]:
                math_errors[path] = report["errors"]
            text = " ".join(tab.evaluate(PROSE_TEXT).split())
            found = RAW_DELIMITER.search(text)
            if found:
                raw_delimiters[path] = text[max(0, found.start() - 60) : found.end() + 40]
    finally:
        tab.close()

    assert failed_loads == {}, "pages whose math never finished typesetting"
    assert untypeset == {}, "math left as TeX source"
    assert math_errors == {}, "MathJax reported errors"
    assert raw_delimiters == {}, "raw TeX delimiters in the visible text"
    assert browser.console_errors[errors_before:] == [], "console errors"
    offsite = browser.offsite_requests[offsite_before:]
    assert offsite == [], "requests to hosts other than 127.0.0.1"
    # The site is about formulas: most pages must have some.
    assert pages_with_math >= len(pages) // 2


def test_dark_scheme_keeps_outputs_readable(page, site_server):
    open_page(page, site_server + "softmax/")
    scheme = 'document.body.getAttribute("data-md-color-scheme")'
    assert page.evaluate(scheme) == "default"

    selectors = {
        "output": ".jp-OutputArea-output pre",
        "code": ".jp-InputArea-editor .highlight-ipynb pre span.n",
        "prose": ".md-content p",
    }
    for name, selector in selectors.items():
        text, background = readable_colors(page, selector)
        assert contrast_ratio(text, background) >= 4.5, f"{name} in light scheme: {text} on {background}"

    page.locator('label[title="Switch to dark mode"]').click()
    page.wait_for_function(f"() => {scheme} === 'slate'")

    for name, selector in selectors.items():
        text, background = readable_colors(page, selector)
        assert relative_luminance(background) < 0.2, f"{name} background stays light: {background}"
        assert contrast_ratio(text, background) >= 4.5, f"{name} in dark scheme: {text} on {background}"

    # Figures are drawn on a transparent background with dark ink, so in the dark
    # scheme the site must put them on a light card.
    page.goto(site_server + "properties/", wait_until="load")
    assert page.evaluate(scheme) == "slate"
    figure_background = page.locator(".jp-RenderedImage img").first.evaluate(
        "(node) => getComputedStyle(node).backgroundColor"
    )
    assert parse_rgb(figure_background)[3] > 0, "figure has no background in the dark scheme"
    assert relative_luminance(figure_background) > 0.7

    page.locator('label[title="Switch to light mode"]').click()
    page.wait_for_function(f"() => {scheme} === 'default'")


def test_search_finds_jacobian(page, site_server):
    open_page(page, site_server)
    search = page.locator("input[data-md-component=search-query]")
    search.click()
    search.press_sequentially("Jacobian", delay=20)
    result_links = page.locator(".md-search-result__item a")
    result_links.first.wait_for(state="visible")
    hrefs = result_links.evaluate_all("(links) => links.map((link) => link.href)")
    assert any("derivations/softmax_jacobian/" in href for href in hrefs), hrefs


def follow_nav_link(page, href_suffix: str) -> dict:
    """Click a navigation link and wait until instant navigation has swapped the content."""
    old_heading = page.evaluate(CONTENT_HEADING)
    page.locator(f'.md-sidebar--primary a.md-nav__link[href$="{href_suffix}"]').first.click()
    page.wait_for_url(f"**/{href_suffix.lstrip('/')}")
    # The address changes before the new content is in place, so wait for the heading too.
    page.wait_for_function(f"() => ({CONTENT_HEADING})() !== {json.dumps(old_heading)}")
    return wait_for_math(page)


def test_instant_navigation_typesets_math(page, site_server):
    open_page(page, site_server)
    page.evaluate("() => { window.softmaxCeMarker = 'still here'; }")

    report = follow_nav_link(page, "derivations/softmax_jacobian/")

    # A full page load would have discarded the marker.
    assert page.evaluate("() => window.softmaxCeMarker") == "still here"
    assert report["total"] > 0
    assert report["untypeset"] == []
    assert report["errors"] == []

    # Back to a prose page, again without reloading.
    report = follow_nav_link(page, "/softmax/")
    assert page.evaluate("() => window.softmaxCeMarker") == "still here"
    assert report["untypeset"] == []
    assert report["errors"] == []


CONTENT_HEADING = """() => {
  const heading = document.querySelector("article h1");
  return heading ? heading.textContent : "";
}"""

SOLUTION_STATE = """
() => Array.from(document.querySelectorAll("details.solution")).map((details) => ({
  open: details.open,
  cells: details.querySelectorAll(".jp-Cell.celltag_solution").length,
}))
"""


def check_solutions(page):
    solutions = page.evaluate(SOLUTION_STATE)
    assert len(solutions) >= 3, "expected at least three solutions on the page"
    assert all(not solution["open"] for solution in solutions), solutions
    assert all(solution["cells"] >= 1 for solution in solutions), solutions
    # No solution cell is left outside a collapsible block.
    loose = page.locator(".jp-Cell.celltag_solution:not(details.solution .jp-Cell)")
    assert loose.count() == 0

    first = page.locator("details.solution").first
    code = first.locator(".jp-InputArea-editor pre").first
    assert not code.is_visible()
    first.locator("summary").click()
    assert first.evaluate("(node) => node.open")
    code.wait_for(state="visible")


@pytest.mark.parametrize("path", ["softmax/", "properties/", "mle/", "cross-entropy/"])
def test_solutions_start_closed(page, site_server, path):
    open_page(page, site_server + path)
    check_solutions(page)


def test_solutions_close_after_instant_navigation(page, site_server):
    open_page(page, site_server)
    page.evaluate("() => { window.softmaxCeMarker = 'still here'; }")
    follow_nav_link(page, "/cross-entropy/")
    assert page.evaluate("() => window.softmaxCeMarker") == "still here"
    check_solutions(page)


MATRIX_HEIGHTS = """
() => Array.from(document.querySelectorAll(".jupyter-wrapper mjx-container"))
  .filter((container) => container.querySelector("mjx-mtable"))
  .map((container) => ({
    container: container.getBoundingClientRect().height,
    table: container.querySelector("mjx-mtable").getBoundingClientRect().height,
  }))
"""


def test_notebook_matrices_fit_their_brackets(page, site_server):
    # The notebook stylesheet made MathJax's stretchy brackets content-box, which
    # drew SymPy matrices with brackets far taller than their rows.
    open_page(page, site_server + "derivations/softmax_jacobian/")

    matrices = page.evaluate(MATRIX_HEIGHTS)

    assert len(matrices) >= 3
    too_tall = [size for size in matrices if size["container"] > 1.25 * size["table"]]
    assert too_tall == []
