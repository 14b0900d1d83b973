"""Shared fixtures: the repository root and one strict build of the whole site."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
MKDOCS = Path(sys.executable).with_name("mkdocs")


def mkdocs_build(
    site_dir: Path,
    config_file: Path | None = None,
    cwd: Path = REPO_ROOT,
    site_url: str | None = None,
):
    """Run `mkdocs build --strict` with the notebook cache off; return the finished process."""
    command = [str(MKDOCS), "build", "--strict", "--site-dir", str(site_dir)]
    if config_file is not None:
        command += ["--config-file", str(config_file)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOFTMAX_CE_NOTEBOOK_CACHE": "0"}
    if site_url is not None:
        env["SOFTMAX_CE_SITE_URL"] = site_url
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def site_url() -> str:
    """The address that `site_server` serves on, fixed before the site is built."""
    return f"http://127.0.0.1:{_free_port()}/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, site_url) -> Path:
    """Build the real site once per test session, strictly, with every page executed."""
    site_dir = tmp_path_factory.mktemp("site")
    result = mkdocs_build(site_dir, site_url=site_url)
    if result.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}")
    return site_dir


@pytest.fixture(scope="session")
def site_server(built_site, site_url):
    """Serve the built site on 127.0.0.1 at `site_url`; yield that URL."""
    port = int(site_url.rstrip("/").rsplit(":", 1)[1])
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site_url
    server.shutdown()
    server.server_close()
