"""Shared fixtures: the repository root and one strict build of the whole site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MKDOCS = Path(sys.executable).with_name("mkdocs")


def mkdocs_build(site_dir: Path, config_file: Path | None = None, cwd: Path = REPO_ROOT):
    """Run `mkdocs build --strict` with the notebook cache off; return the finished process."""
    command = [str(MKDOCS), "build", "--strict", "--site-dir", str(site_dir)]
    if config_file is not None:
        command += ["--config-file", str(config_file)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOFTMAX_CE_NOTEBOOK_CACHE": "0"}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Build the real site once per test session, strictly, with every page executed."""
    site_dir = tmp_path_factory.mktemp("site")
    result = mkdocs_build(site_dir)
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}")
    return site_dir
