"""Field groups shared by state kinds, declared once: data flow, results, and error handling."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .base import State, _Discard
from .retry import Retry


@dataclass(frozen=True)
class Catch:
    """Send matching errors to ``next``, keeping the error at ``result_path`` (``$.error`` unless told)."""

    errors: Sequence[str]
    next: State | str
    result_path: str | _Discard | None = "$.error"


@dataclass(eq=False, kw_only=True)
class Flowing(State):
    """States that select their input and output (ASL InputPath, OutputPath), or in JSONata mode shape their
    output (``output=``, ASL Output); all of them may set workflow variables (``assign=``, ASL Assign)."""

    input_path: str | _Discard | None = None
    output_path: str | _Discard | None = None
    output: object = None
    assign: dict | None = None


@dataclass(eq=False, kw_only=True)
class Producing(Flowing):
    """States that build their input and place a result (Parameters, ResultSelector, ResultPath)."""

    jsonata_input = "arguments"

    parameters: dict | None = None
    result_selector: dict | None = None
    result_path: str | _Discard | None = None
    arguments: object = None


@dataclass(eq=False, kw_only=True)
class Guarded(Producing):
    """States that can fail and be retried or caught.

    ``retry``: a ``Retry`` (merged over the defaults), a list of them, or ``NO_RETRY``; ``None`` inherits.
    ``on_failure``: where errors go once retries are exhausted; ``None`` inherits the workflow's, ``False`` opts out.
    ``catch``: extra catchers tried before ``on_failure``.
    """

    retry: Retry | Sequence[Retry] | None = None
    catch: Sequence[Catch] | None = None
    on_failure: State | str | bool | None = None
