"""Serve MathJax 3 from the site itself, so that math typesets with no network.

The django-static-mathjax wheel (pinned in requirements.lock) ships MathJax 3.2.2.
At build time this hook adds the few files the site needs to the build, straight
from the installed package, so no MathJax file is committed to the repository:

- es5/tex-mml-chtml.js, the combined TeX input and CommonHTML output component;
- es5/output/chtml/fonts/woff-v2/, the fonts that CommonHTML output loads;
- es5/input/tex/extensions/, which MathJax's autoload fetches on first use of a
  macro such as \\cancel or \\bbox.

The files keep their layout under assets/mathjax/, because MathJax finds its fonts
and extensions relative to the URL of its own script.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

SITE_PREFIX = "assets/mathjax"
NEEDED = (
    "tex-mml-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
)


def _mathjax_es5_dir() -> Path:
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise PluginError(
            "MathJax is missing: the 'django-static-mathjax' package is not installed. "
            "Run 'make install' to install the pinned dependencies."
        )
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    if not (es5 / "tex-mml-chtml.js").is_file():
        raise PluginError(f"MathJax is incomplete: {es5 / 'tex-mml-chtml.js'} not found.")
    return es5


def on_files(files: Files, config) -> Files:
    es5 = _mathjax_es5_dir()
    for entry in NEEDED:
        source = es5 / entry
        paths = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        for path in paths:
            relative = path.relative_to(es5).as_posix()
            files.append(
                File.generated(
                    config, f"{SITE_PREFIX}/{relative}", abs_src_path=str(path)
                )
            )
    return files
