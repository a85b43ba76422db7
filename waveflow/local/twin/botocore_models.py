"""botocore's model files read once per process, whichever session asks for them.

Every botocore session reads the service models and endpoint files it needs through a loader of its own, and a
loader remembers what it read only for its own session. A run makes many sessions: moto makes three at import just
to list EC2's regions (each reads EC2's whole model, ~4 MB of JSON), one per backend to list a service's regions,
the X-Ray SDK two for its sampling clients, the run and the tasks their own. Without sharing, EC2's model was
parsed seven times and the endpoints file eight: ~0.6 s of a run's ~2.3 s start-up. While ``read_once()`` lasts,
the sessions made share one loader per data path, so each file is parsed once; botocore never changes what a
loader hands out (the sessions of one loader already share it), so sharing changes no answer.

    >>> with read_once():   # doctest: +SKIP
    ...     import moto.ec2
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import botocore.loaders
import botocore.session

_made = botocore.loaders.create_loader
#: one loader per data path (``AWS_DATA_PATH``; None when unset), kept for the process
_loaders: dict[Any, botocore.loaders.Loader] = {}


def shared_loader(search_path_string=None) -> botocore.loaders.Loader:
    """The process's loader for this data path, made the first time one is asked for."""
    loader = _loaders.get(search_path_string)
    if loader is None:
        loader = _loaders[search_path_string] = _made(search_path_string)
    return loader


def replacements() -> list[tuple[Any, str, Any]]:
    """What ``faster_moto`` sets while a run lasts: sessions made during the run share their loaders."""
    return [(botocore.session, "create_loader", shared_loader)]


@contextmanager
def read_once() -> Iterator[None]:
    """Sessions made while the block runs share one loader per data path (for imports that make sessions)."""
    saved = botocore.session.create_loader
    botocore.session.create_loader = shared_loader
    try:
        yield
    finally:
        botocore.session.create_loader = saved
