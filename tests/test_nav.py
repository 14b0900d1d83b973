"""Every page of the site is in the mkdocs.yml nav, and every nav entry exists.

A page missing from the nav still builds, but readers can reach it only by a link or
by search. A nav entry without a file fails the strict build with a message that
names only the entry, so the tests below name the file is missing or orphaned.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pathspec
import pytest
from mkdocs.utils.yaml import yaml_load

JUPYTER_PLUGIN = "mkdocs-jupyter"
# MkDocs 1.6 always excludes these from docs_dir, in addition to exclude_docs.
DEFAULT_EXCLUDES = (".*", "/templates/")


def load_config(config_file: Path) -> dict:
    """Read mkdocs.yml with MkDocs' own YAML loader, which resolves !ENV tags."""
    with config_file.open(encoding="utf-8") as stream:
        return yaml_load(stream)


def jupyter_options(config: dict) -> dict:
    for plugin in config.get("plugins", []):
        if isinstance(plugin, dict) and JUPYTER_PLUGIN in plugin:
            return plugin[JUPYTER_PLUGIN] or {}
    return {}


def nav_entries(nav) -> list[str]:
    """Flatten a nav tree into its file paths, skipping links to other sites."""
    found = []
    items = nav if isinstance(nav, list) else [nav]
    for item in items:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                found.extend(nav_entries(value))
    return [entry for entry in found if "://" not in entry]


def is_notebook(physical: Path, options: dict) -> bool:
    """Apply mkdocs-jupyter's include and ignore patterns to a .py file."""
    path = PurePosixPath(physical.as_posix())
    if any(path.match(pattern) for pattern in options.get("ignore", [])):
        return False
    return any(path.match(pattern) for pattern in options.get("include", []))


def page_sources(root: Path, config: dict) -> dict[str, Path]:
    """Map each page's path as the nav spells it to its file.

    Pages are Markdown files in docs_dir that exclude_docs does not exclude, and .py
    files in docs_dir or in a mounted notebook folder that mkdocs-jupyter includes.
    """
    docs_dir = root / config.get("docs_dir", "docs")
    options = jupyter_options(config)
    excluded = pathspec.GitIgnoreSpec.from_lines(
        [*DEFAULT_EXCLUDES, *config.get("exclude_docs", "").splitlines()]
    )

    pages = {}
    for path in sorted(docs_dir.rglob("*")):
        relative = path.relative_to(docs_dir).as_posix()
        if not path.is_file() or excluded.match_file(relative):
            continue
        if path.suffix == ".md" or (path.suffix == ".py" and is_notebook(path, options)):
            pages[relative] = path

    for mount, folder in options.get("notebook_dirs", {}).items():
        for path in sorted((root / folder).rglob("*.py")):
            if is_notebook(path, options):
                pages[f"{mount}/{path.relative_to(root / folder).as_posix()}"] = path
    return pages


def nav_problems(config_file: Path) -> tuple[list[str], list[str]]:
    """Return (pages missing from the nav, nav entries without a file)."""
    config = load_config(config_file)
    pages = page_sources(config_file.parent, config)
    entries = nav_entries(config.get("nav", []))
    orphans = sorted(set(pages) - set(entries))
    dangling = sorted(entry for entry in entries if entry not in pages)
    return orphans, dangling


def test_site_has_no_orphan_pages(repo_root):
    orphans, _ = nav_problems(repo_root / "mkdocs.yml")
    assert orphans == [], f"pages not listed in the mkdocs.yml nav: {orphans}"


def test_site_nav_entries_exist(repo_root):
    _, dangling = nav_problems(repo_root / "mkdocs.yml")
    assert dangling == [], f"nav entries without a page source: {dangling}"


def test_site_nav_is_not_empty(repo_root):
    config = load_config(repo_root / "mkdocs.yml")
    entries = nav_entries(config["nav"])
    assert "index.md" in entries
    assert any(entry.startswith("derivations/") for entry in entries)


SYNTHETIC_CONFIG = """\
site_name: synthetic
exclude_docs: |
  _hooks/
plugins:
  - mkdocs-jupyter:
      notebook_dirs:
        derivations: derivations
      include:
        - "derivations/[!_]*.py"
        - "docs/[!_]*.py"
      ignore:
        - "derivations/_*.py"
      execute: !ENV [SYNTHETIC_EXECUTE, false]
nav:
  - Home: index.md
  - Notebook: notebook.py
  - Derivations:
      - derivations/listed.py
  - External: https://example.org/
"""


@pytest.fixture
def synthetic_site(tmp_path) -> Path:
    """A small site whose nav lists every page, with helpers that are not pages."""
    (tmp_path / "mkdocs.yml").write_text(SYNTHETIC_CONFIG, encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "_hooks").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    (docs / "notebook.py").write_text("# %%\n", encoding="utf-8")
    (docs / "_helper.py").write_text("", encoding="utf-8")
    (docs / "_hooks" / "hook.py").write_text("", encoding="utf-8")
    (docs / "_hooks" / "notes.md").write_text("", encoding="utf-8")
    derivations = tmp_path / "derivations"
    derivations.mkdir()
    (derivations / "listed.py").write_text("# %%\n", encoding="utf-8")
    (derivations / "_shared.py").write_text("", encoding="utf-8")
    return tmp_path


def test_checker_accepts_complete_nav(synthetic_site):
    assert nav_problems(synthetic_site / "mkdocs.yml") == ([], [])


def test_checker_finds_orphan_markdown_page(synthetic_site):
    (synthetic_site / "docs" / "forgotten.md").write_text("# Forgotten\n", encoding="utf-8")
    orphans, dangling = nav_problems(synthetic_site / "mkdocs.yml")
    assert orphans == ["forgotten.md"]
    assert dangling == []


def test_checker_finds_orphan_derivation(synthetic_site):
    (synthetic_site / "derivations" / "unlisted.py").write_text("# %%\n", encoding="utf-8")
    orphans, _ = nav_problems(synthetic_site / "mkdocs.yml")
    assert orphans == ["derivations/unlisted.py"]


def test_checker_finds_orphan_notebook_page(synthetic_site):
    (synthetic_site / "docs" / "extra.py").write_text("# %%\n", encoding="utf-8")
    orphans, _ = nav_problems(synthetic_site / "mkdocs.yml")
    assert orphans == ["extra.py"]


def test_checker_finds_missing_nav_target(synthetic_site):
    (synthetic_site / "docs" / "notebook.py").unlink()
    orphans, dangling = nav_problems(synthetic_site / "mkdocs.yml")
    assert orphans == []
    assert dangling == ["notebook.py"]
