"""States that hold other states: Parallel (fixed branches) and Map (one run per item)."""
from __future__ import annotations

from dataclasses import dataclass

from .common import Guarded
from .scope import Scope


@dataclass(eq=False, kw_only=True)
class Parallel(Guarded):
    """Run branches side by side; the output is the list of the branches' outputs.

    >>> with Parallel("Checks") as checks:
    ...     with checks.branch():
    ...         LambdaTask("PingSource", handler="tasks.ping.handler")
    """

    default_retry: object = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self.branches: list[Scope] = []

    def branch(self) -> Scope:
        """Open a new branch: states created in its ``with`` block belong to it."""
        scope = Scope(default_retry=self.default_retry)
        scope.owner = self
        self.branches.append(scope)
        return scope

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


@dataclass(eq=False, kw_only=True)
class Map(Guarded):
    """Run the states in its ``with`` block once per item.

    Items come from ``items_path`` (inline) or ``item_reader`` (an S3 object, distributed mode). ``item_selector``
    shapes each item; ``max_concurrency`` caps parallel runs; ``tolerated_failure_percentage``/``_count`` let
    some items fail. ``mode="DISTRIBUTED"`` runs each item as a child execution (``execution_type``).
    """

    items_path: str | None = None
    items: object = None
    item_reader: dict | None = None
    item_selector: dict | None = None
    max_concurrency: int | None = None
    max_concurrency_path: str | None = None
    tolerated_failure_percentage: float | None = None
    tolerated_failure_count: int | None = None
    mode: str = "INLINE"
    execution_type: str = "STANDARD"
    label: str | None = None
    result_writer: dict | None = None
    default_retry: object = None

    def __post_init__(self) -> None:
        super().__post_init__()
        self.processor = Scope(default_retry=self.default_retry)
        self.processor.owner = self

    def __enter__(self):
        self.processor.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self.processor.__exit__(*exc_info)


def s3_json_items(bucket, key) -> dict:
    """An ``item_reader`` for a JSON array stored in S3; ``bucket``/``key`` may be ``Ref``s."""
    return {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": bucket, "Key": key}}
