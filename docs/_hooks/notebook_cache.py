"""Make a stale notebook page impossible.

mkdocs-jupyter 0.27 caches each executed notebook under a key made from the
notebook file and the plugin options only. A derivation page that calls the
library would then keep its old output after an edit in src/softmax_ce/ or in a
derivation helper module. This hook puts the cache into a folder named after a
hash of every file an executed page can import, so any such edit starts a fresh
cache. With SOFTMAX_CE_NOTEBOOK_CACHE=0 (set by `make build` and by the tests)
the cache is off and every page executes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

PLUGIN_NAME = "mkdocs-jupyter"
# Sources that executed pages import or read, relative to the folder of mkdocs.yml.
# The page "How each result is tested" lists the test files.
IMPORTED_SOURCES = ("src/softmax_ce/**/*.py", "derivations/_*.py", "docs/_*.py", "tests/test_*.py")


DIGEST_NAME = re.compile(r"[0-9a-f]{16}")


def _remove_other_digests(base: Path, keep: str) -> None:
    """Delete cache folders of earlier library versions; they can never be hit again."""
    if not base.is_dir():
        return
    for folder in base.iterdir():
        if folder.is_dir() and folder.name != keep and DIGEST_NAME.fullmatch(folder.name):
            shutil.rmtree(folder, ignore_errors=True)


def _source_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for pattern in IMPORTED_SOURCES:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def on_config(config):
    plugin = config.plugins.get(PLUGIN_NAME)
    if plugin is None:
        raise PluginError(f"The {PLUGIN_NAME!r} plugin must be enabled in mkdocs.yml.")

    setting = os.environ.get("SOFTMAX_CE_NOTEBOOK_CACHE", "1")
    if setting not in ("0", "1"):
        raise PluginError(
            f"SOFTMAX_CE_NOTEBOOK_CACHE must be '0' or '1', got {setting!r}."
        )
    if setting == "0":
        plugin.config["cache"] = False
        return config

    root = Path(config["config_file_path"]).parent
    base = Path(plugin.config["cache_dir"])
    if not base.is_absolute():
        base = root / base
    digest = _source_digest(root)
    _remove_other_digests(base, keep=digest)
    plugin.config["cache_dir"] = str(base / digest)
    return config
