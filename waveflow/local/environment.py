"""The process environment for a while: what a Lambda function (or a whole local run) sees in ``os.environ``.

The tasks read their settings from the environment once (``tasks.lib.config.load_config``, cached), as a Lambda
function does at cold start; here one process plays many functions and runs in turn, so each gets its own values
and the cache is cleared on the way in and out.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterable, Iterator, Mapping

from tasks.lib.config import load_config


@contextmanager
def environment(values: Mapping[str, str], hidden: Iterable[str] = ()) -> Iterator[None]:
    """``os.environ`` with ``values`` set and the ``hidden`` keys removed; every key as it was afterwards."""
    hidden = [key for key in hidden if key not in values]
    saved = {key: os.environ.get(key) for key in (*values, *hidden)}
    for key in hidden:
        os.environ.pop(key, None)
    os.environ.update(values)
    load_config.cache_clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        load_config.cache_clear()
