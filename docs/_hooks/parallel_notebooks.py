"""Execute the site's notebooks in parallel.

mkdocs-jupyter 0.27 converts one notebook at a time, each in a fresh kernel,
as MkDocs renders the pages, so most of a cold build is spent waiting on one
kernel while the other core idles.

This hook wraps `mkdocs_jupyter.convert.nb2html`. The first call passes it the
conversion options, which mkdocs-jupyter derives from mkdocs.yml and are the
same for every page here. It then starts the remaining notebooks with those
options on a thread pool, one kernel per worker. Each later call takes its
result from the pool, so a notebook that raises still fails the build, at
its own page, with its own error. A call with other options, or for a
notebook not collected, converts directly as before.

With the cache on (`make serve`), only notebooks without a cache entry are
started ahead, because a cached page never calls nb2html. The cache key comes
from mkdocs-jupyter's own private helpers; if a later release drops them,
nothing is started ahead and pages convert one at a time as before.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor

from mkdocs_jupyter import convert

try:
    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path
except ImportError:  # a release of mkdocs-jupyter other than the pinned 0.27.0
    _compute_cache_key = _get_cache_path = None

PLUGIN_NAME = "mkdocs-jupyter"
# The unwrapped converter, kept on the wrapper so that a rebuild in `mkdocs serve`,
# which loads this hook again, wraps the original and not the previous wrapper.
ORIGINAL_ATTRIBUTE = "softmax_ce_original"
log = logging.getLogger(f"mkdocs.hooks.{__name__}")


class _ParallelConverter:
    def __init__(self, convert_one, workers: int):
        self._convert_one = convert_one
        setattr(self, ORIGINAL_ATTRIBUTE, convert_one)
        self._workers = workers
        self._plugin_config: dict | None = None
        self._paths: list[str] = []
        self._options: dict | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future] = {}

    def reset(self, paths: list[str], plugin_config) -> None:
        self.shutdown()
        self._paths = list(paths)
        self._plugin_config = plugin_config
        self._options = None
        self._futures = {}

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _run(self, path: str, options: dict):
        # nb2html fills image_dependencies in place, so each run gets its own dict.
        dependencies: dict = {}
        body = self._convert_one(path, **{**options, "image_dependencies": dependencies})
        return body, dependencies

    def _is_cached(self, path: str, options: dict) -> bool:
        """Return whether mkdocs-jupyter will take this notebook from its cache."""
        if not self._plugin_config["cache"]:
            return False
        if _compute_cache_key is None:
            return True  # unknown cache layout: start nothing ahead
        key = _compute_cache_key(
            path,
            self._plugin_config,
            options.get("execute"),
            include_mermaidjs=options.get("include_mermaidjs", True),
        )
        return _get_cache_path(self._plugin_config["cache_dir"], key).exists()

    def _start_all(self, first_path: str, options: dict) -> None:
        self._options = options
        pending = [
            path
            for path in self._paths
            if path == first_path or not self._is_cached(path, options)
        ]
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="notebook")
        for path in pending:
            self._futures[path] = self._pool.submit(self._run, path, options)
        log.info("Executing %d notebooks on %d workers", len(pending), self._workers)

    def __call__(self, nb_path, **options):
        path = os.path.abspath(nb_path)
        shared = {key: value for key, value in options.items() if key != "image_dependencies"}
        if self._options is None and path in self._paths:
            self._start_all(path, shared)
        future = self._futures.pop(path, None)
        if future is None or shared != self._options:
            return self._convert_one(nb_path, **options)

        body, dependencies = future.result()
        if options.get("image_dependencies") is not None:
            options["image_dependencies"].update(dependencies)
        return body


_converter: _ParallelConverter | None = None


def on_config(config):
    global _converter
    if config.plugins.get(PLUGIN_NAME) is None:
        return config
    original = getattr(convert.nb2html, ORIGINAL_ATTRIBUTE, convert.nb2html)
    workers = max(1, min(4, os.cpu_count() or 1))
    _converter = _ParallelConverter(original, workers)
    convert.nb2html = _converter
    return config


def on_files(files, config):
    if _converter is not None:
        plugin = config.plugins[PLUGIN_NAME]
        paths = [
            os.path.abspath(file.abs_src_path)
            for file in files
            if file.abs_src_path and plugin.should_include(file)
        ]
        _converter.reset(paths, plugin.config)
    return files


def on_post_build(config):
    if _converter is not None:
        _converter.shutdown()


def on_build_error(error):
    if _converter is not None:
        _converter.shutdown()
