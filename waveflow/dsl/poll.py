"""Poll: Airflow's sensor, as Step Functions states (check -> decide -> wait with backoff -> check again)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .common import Guarded
from .conditions import Condition
from .tasks import dotted_path


@dataclass(eq=False, kw_only=True)
class Poll(Guarded):
    """Call ``check`` until ``until`` holds, waiting ``interval`` between calls, growing by ``backoff`` up to
    ``max_interval``. Gives up with ``timeout_error`` (default ``<Name>TimedOut``) once ``timeout`` seconds of
    waiting or ``max_polls`` checks have passed; ``on_failure`` sees that error like any other.

    >>> Poll("WaitForReplication", check="tasks.poll_status.handler",
    ...      until=Var("$.replication.ready") == True, interval=minutes(1), backoff=1.5,
    ...      max_interval=minutes(15), timeout=hours(24))

    ``interval_path`` lets the check say when to look again: after each check the wait is the number of seconds
    it left there (e.g. ``"$.replication.nextPollSeconds"``, from MGN's ETA), kept between ``interval`` and
    ``max_interval`` (a check can neither make the Poll hammer an API nor sleep past ``max_interval``); where
    there is no number, the backoff schedule decides. ``wait_first=True`` waits before the first check too (the
    first wait read from the Poll's input at ``interval_path`` where the state before it left one), for a job
    that cannot be done the moment it was started, such as an instance launch.

    The check's own ``retry`` (merged with the defaults) covers transient errors of a single check.
    It compiles to a one-branch Parallel, so the whole loop shows as one box in the console and its timeout
    error can be caught: check -> decide -> wait -> check, three state transitions a pass. The loop keeps its
    counters in variables of that branch, never in the document, so the check may return whatever document it
    likes and the Poll's output is the check's last return.
    """

    check: str | Callable | None = None
    until: Condition | None = None
    interval: int | None = None
    backoff: float = 1.0
    max_interval: int | None = None
    timeout: int | None = None
    max_polls: int | None = None
    timeout_error: str | None = None
    interval_path: str | None = None
    wait_first: bool = False

    @property
    def handler_path(self) -> str | None:
        return dotted_path(self.check)

    def schedule(self) -> list[int]:
        """The wait before each next check: grows by ``backoff`` until it reaches ``max_interval``, then holds."""
        interval = float(self.interval)
        cap = int(self.max_interval) if self.max_interval is not None else None
        steps = [round(interval)]
        while self.backoff > 1.0 and (cap is None or steps[-1] < cap) and len(steps) < 64:
            interval *= self.backoff
            steps.append(min(round(interval), cap) if cap is not None else round(interval))
        return steps
