"""The site builds strictly, a failing derivation fails the build, and no page can go stale."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from mkdocs.utils.yaml import yaml_load

from conftest import MKDOCS, REPO_ROOT, mkdocs_build

pytestmark = pytest.mark.slow

SITE_SUPPORT = ("docs/_hooks", "docs/javascripts", "docs/stylesheets")


def make_small_site(root: Path, derivation_source: str, *, hooks: bool = True) -> Path:
    """Write a copy of the real site configuration with one page and one derivation."""
    for folder in SITE_SUPPORT:
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "derivations").mkdir()
    (root / "src" / "softmax_ce").mkdir(parents=True, exist_ok=True)
    (root / "derivations" / "sample.py").write_text(derivation_source, encoding="utf-8")
    (root / "docs" / "index.md").write_text(
        "# Home\n\nSee [the sample](derivations/sample.py).\n", encoding="utf-8"
    )

    # MkDocs' own loader resolves the !ENV tags, so the copy holds plain values.
    with (REPO_ROOT / "mkdocs.yml").open(encoding="utf-8") as stream:
        config = yaml_load(stream)
    config["nav"] = [{"Home": "index.md"}, "derivations/sample.py"]
    config["plugins"] = [p for p in config["plugins"] if p != "mkdocstrings" and "mkdocstrings" not in p]
    if not hooks:
        config["hooks"] = [h for h in config["hooks"] if not h.endswith("notebook_cache.py")]
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return config_file


def build_with_cache(root: Path, config_file: Path, site_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOFTMAX_CE_NOTEBOOK_CACHE": "1"}
    command = [str(MKDOCS), "build", "--strict", "-f", str(config_file), "-d", str(site_dir)]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)


def page_text(site_dir: Path, name: str) -> str:
    return (site_dir / "derivations" / name / "index.html").read_text(encoding="utf-8")


def test_site_builds_strictly(built_site):
    assert (built_site / "index.html").is_file()
    assert (built_site / "derivations" / "softmax_jacobian" / "index.html").is_file()


def test_mathjax_served_from_site(built_site):
    assert (built_site / "assets" / "mathjax" / "tex-mml-chtml.js").is_file()
    fonts = list((built_site / "assets" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
    assert fonts, "MathJax fonts were not copied into the site"


def test_pages_reference_no_other_host(built_site):
    # Every script, stylesheet, font and image must come from the site itself.
    pattern = re.compile(r"""(?:src|href)\s*=\s*["']((?:https?:)?//[^/"']*)""")
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for match in pattern.finditer(html):
            if match.group(1).split("//", 1)[1].split(":")[0] == "127.0.0.1":
                continue
            tag_start = html.rfind("<", 0, match.start())
            tag = html[tag_start : match.end() + 80]
            # Plain hyperlinks to other sites are fine, but loaded resources are not.
            assert tag.startswith("<a "), f"{page}: loads a resource from another host: {tag!r}"


def test_jacobian_page_has_math_and_no_traceback(built_site):
    html = page_text(built_site, "softmax_jacobian")
    assert html.count('class="arithmatex"') >= 5
    assert "Traceback" not in html
    assert "jp-OutputArea-error" not in html


def test_derivation_that_raises_fails_build(tmp_path):
    source = (
        "# %% [markdown]\n# # Sample\n\n"
        "# %%\nclaimed, derived = 1, 2\n\n"
        "# %%\nassert claimed == derived, 'the claimed formula is wrong'\n"
    )
    config_file = make_small_site(tmp_path, source)

    result = mkdocs_build(tmp_path / "site", config_file, cwd=tmp_path)

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "the claimed formula is wrong" in output


def test_edited_library_reexecutes_page(tmp_path):
    # The page reads a module under src/softmax_ce/, as a derivation reads the library.
    source = (
        "# %% [markdown]\n# # Sample\n\n"
        "# %%\nimport runpy\n"
        "marker = runpy.run_path('../src/softmax_ce/marker.py')['MARKER']\n"
        "print(f'marker={marker}')\n"
    )
    marker = tmp_path / "src" / "softmax_ce" / "marker.py"
    config_file = make_small_site(tmp_path, source)
    site_dir = tmp_path / "site"

    marker.write_text("MARKER = 'first'\n", encoding="utf-8")
    assert build_with_cache(tmp_path, config_file, site_dir).returncode == 0
    assert "marker=first" in page_text(site_dir, "sample")

    marker.write_text("MARKER = 'second'\n", encoding="utf-8")
    assert build_with_cache(tmp_path, config_file, site_dir).returncode == 0
    assert "marker=second" in page_text(site_dir, "sample")
    # The cache of the first library version can never be hit again, so it is removed.
    cache_folders = list((tmp_path / ".cache" / "mkdocs-jupyter").iterdir())
    assert len(cache_folders) == 1


def test_plain_plugin_cache_would_serve_stale_page(tmp_path):
    # Without the cache hook, mkdocs-jupyter keys its cache on the notebook alone
    # and keeps the old output after a library edit. This shows the hook is needed.
    source = (
        "# %% [markdown]\n# # Sample\n\n"
        "# %%\nimport runpy\n"
        "marker = runpy.run_path('../src/softmax_ce/marker.py')['MARKER']\n"
        "print(f'marker={marker}')\n"
    )
    marker = tmp_path / "src" / "softmax_ce" / "marker.py"
    config_file = make_small_site(tmp_path, source, hooks=False)
    site_dir = tmp_path / "site"

    marker.write_text("MARKER = 'first'\n", encoding="utf-8")
    assert build_with_cache(tmp_path, config_file, site_dir).returncode == 0
    marker.write_text("MARKER = 'second'\n", encoding="utf-8")
    assert build_with_cache(tmp_path, config_file, site_dir).returncode == 0

    assert "marker=first" in page_text(site_dir, "sample")


def test_notebook_display_math_escaped_once(tmp_path):
    # mkdocs-jupyter escaped `$$` blocks in Markdown cells twice, so MathJax saw
    # `&amp;` and `&lt;` as text and reported "Misplaced &".
    source = (
        "# %% [markdown]\n# # Sample\n#\n"
        "# $$\n# \\begin{aligned} a &< b \\\\ c &> d \\end{aligned}\n# $$\n\n"
        "# %%\nprint('done')\n"
    )
    config_file = make_small_site(tmp_path, source)

    result = mkdocs_build(tmp_path / "site", config_file, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    html = page_text(tmp_path / "site", "sample")
    assert r"a &amp;&lt; b \\ c &amp;&gt; d" in html
    assert "&amp;amp;" not in html


def test_headings_contain_no_math(built_site):
    # The table of contents and the navigation show heading text as written, so
    # math in a heading appeared there as raw \( ... \) source.
    heading_with_math = re.compile(r"<h[1-6][^>]*>(?:(?!</h[1-6]>).)*arithmatex", re.DOTALL)
    offenders = [
        str(page.relative_to(built_site))
        for page in built_site.rglob("index.html")
        if heading_with_math.search(page.read_text(encoding="utf-8"))
    ]
    assert offenders == []
