"""The tasks' Powertools logger, metrics and tracer: service ``waveflow``, metrics namespace ``Waveflow``.

One instance of each per process, shared by every handler, so log lines, EMF metrics and traces of all stages
carry the same service name and can be joined on the correlation ID. Building them does no I/O; the tracer
patches botocore only inside Lambda (Powertools disables tracing elsewhere).

Where Powertools disables tracing (outside Lambda, or ``POWERTOOLS_TRACE_DISABLED``), its tracer is given a
provider that records nothing instead of the X-Ray SDK's recorder, which it would build only to switch it off:
importing the SDK builds an X-Ray client (~0.4 s of a process's start). Inside Lambda the tracer is Powertools'
own, X-Ray recorder and all.
"""

from __future__ import annotations

import numbers
import traceback
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.tracing.base import BaseProvider, BaseSegment

SERVICE = "waveflow"
NAMESPACE = "Waveflow"


class _Unrecorded(BaseSegment):
    """A (sub)segment of a process that sends no traces: everything put on it is dropped."""

    def close(self, end_time: int | None = None) -> None:
        pass

    def add_subsegment(self, subsegment: Any) -> None:
        pass

    def remove_subsegment(self, subsegment: Any) -> None:
        pass

    def put_annotation(self, key: str, value: str | numbers.Number | bool) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def add_exception(
        self, exception: BaseException, stack: list[traceback.StackSummary], remote: bool = False
    ) -> None:
        pass


_UNRECORDED = _Unrecorded()


class _NoTraces(BaseProvider):
    """The tracer's provider where Powertools disables tracing: subsegments that record nothing, nothing patched."""

    @contextmanager
    def in_subsegment(self, name: str | None = None, **kwargs: Any) -> Iterator[BaseSegment]:
        yield _UNRECORDED

    @asynccontextmanager
    async def in_subsegment_async(self, name: str | None = None, **kwargs: Any) -> AsyncIterator[BaseSegment]:
        yield _UNRECORDED

    def put_annotation(self, key: str, value: str | numbers.Number | bool) -> None:
        pass

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        pass

    def patch(self, modules: Sequence[str]) -> None:
        pass

    def patch_all(self) -> None:
        pass


logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
# Powertools' own verdict (its environment variables, and whether the process runs in Lambda) says if traces are sent
_untraced = Tracer._is_tracer_disabled()
tracer = Tracer(service=SERVICE, patch_modules=["botocore"], provider=_NoTraces() if _untraced else None)
