"""Checks on the built HTML of the prose pages, without a browser.

Each main page must have been executed (its code cells have outputs and no error
output), link the derivations behind its claims, end with a summary and exercises,
and carry at least three solution cells for the collapsible blocks.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow

MAIN_PAGES = ["softmax", "properties", "mle", "cross-entropy"]
# Derivation pages that each prose page must link, at the least.
REQUIRED_DERIVATION_LINKS = {
    "softmax": ["shift_invariance_logsumexp", "softmax_jacobian"],
    "properties": ["softmax_properties", "shift_invariance_logsumexp"],
    "mle": ["maximum_likelihood", "cross_entropy_gradient", "hessian_convexity"],
    "cross-entropy": [
        "cross_entropy_gradient",
        "label_smoothing_class_weights",
        "shift_invariance_logsumexp",
    ],
}
PAGES_WITH_FIGURES = ["properties", "mle"]


def read_page(site, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_page_was_executed(built_site, name):
    html = read_page(built_site, name)
    assert "jp-OutputArea-output" in html, "no cell output: the page did not execute"
    assert "application/vnd.jupyter.stderr" not in html.split("</style>")[-1]
    assert "Traceback (most recent call last)" not in html


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_page_links_its_derivations(built_site, name):
    html = read_page(built_site, name)
    for derivation in REQUIRED_DERIVATION_LINKS[name]:
        assert f'href="../derivations/{derivation}/' in html, derivation


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_page_ends_with_summary_and_exercises(built_site, name):
    html = read_page(built_site, name)
    summary = html.find('id="summary"')
    exercises = html.find('id="exercises"')
    assert summary != -1
    assert exercises > summary


@pytest.mark.parametrize("name", MAIN_PAGES)
def test_page_has_solution_cells(built_site, name):
    html = read_page(built_site, name)
    # mkdocs-jupyter writes the tag class on the cell and on its inner wrapper.
    pattern = r'<div class="jp-Cell [^"]*celltag_solution[^"]*">'
    positions = [match.start() for match in re.finditer(pattern, html)]
    assert len(positions) >= 3
    exercises = html.find('id="exercises"')
    assert min(positions) > exercises, "a solution cell comes before the exercises"


@pytest.mark.parametrize("name", PAGES_WITH_FIGURES)
def test_page_figures_are_embedded(built_site, name):
    html = read_page(built_site, name)
    images = re.findall(r'<img [^>]*src="([^"]*)"', html)
    figures = [src for src in images if src.startswith("data:image/png;base64,")]
    assert figures, "no matplotlib figure on the page"
    assert not [src for src in images if src.startswith(("http:", "https:", "//"))]


def test_home_links_every_main_page(built_site):
    html = read_page(built_site, ".")
    for name in MAIN_PAGES:
        assert f'href="{name}/"' in html, name
