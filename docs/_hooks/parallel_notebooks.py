"""Execute the site's notebooks in parallel when the notebook cache is off.

mkdocs-jupyter 0.27 converts one notebook at a time, each in a fresh kernel,
as MkDocs renders the pages. With the cache off (`make build`, the tests)
every page runs on every build, and most of the build is spent waiting on
one kernel while the other core idles.

This hook wraps `mkdocs_jupyter.convert.nb2html`. The first call tells it the
conversion options, which mkdocs-jupyter derives from mkdocs.yml and are the
same for every page here. It then starts the remaining notebooks with those
options on a thread pool, one kernel per worker. Each later call takes its
result from the pool, so a notebook that raises still fails the build, at
its own page, with its own error. A call with other options, or for a
notebook not collected, converts directly as before.

With the cache on (`make serve`), nothing changes: a cached page never calls
nb2html, and starting every notebook would waste the cache.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor

from mkdocs_jupyter import convert

PLUGIN_NAME = "mkdocs-jupyter"
log = logging.getLogger(f"mkdocs.hooks.{__name__}")


class _ParallelConverter:
    def __init__(self, convert_one, workers: int):
        self._convert_one = convert_one
        self._workers = workers
        self._paths: list[str] = []
        self._options: dict | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future] = {}

    def reset(self, paths: list[str]) -> None:
        self.shutdown()
        self._paths = list(paths)
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

    def _start_all(self, options: dict) -> None:
        self._options = options
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="notebook")
        for path in self._paths:
            self._futures[path] = self._pool.submit(self._run, path, options)
        log.info("Executing %d notebooks on %d workers", len(self._paths), self._workers)

    def __call__(self, nb_path, **options):
        path = os.path.abspath(nb_path)
        shared = {key: value for key, value in options.items() if key != "image_dependencies"}
        if self._options is None and path in self._paths:
            self._start_all(shared)
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
    plugin = config.plugins.get(PLUGIN_NAME)
    if plugin is None or plugin.config["cache"]:
        return config
    if _converter is None:
        workers = max(1, min(4, os.cpu_count() or 1))
        _converter = _ParallelConverter(convert.nb2html, workers)
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
        _converter.reset(paths)
    return files


def on_post_build(config):
    if _converter is not None:
        _converter.shutdown()


def on_build_error(error):
    if _converter is not None:
        _converter.shutdown()
