"""Access to AWS Application Migration Service (MGN) for the stages, with MGN's errors in waveflow's names.

Every call goes through :meth:`MgnGateway._call`, which maps MGN's error codes (``x-amzn-ErrorType``) through
one table to the error names the workflow retries (MgnThrottled, MgnUnavailable) or rolls back on.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from tasks.lib import aws
from tasks.lib.awserrors import THROTTLED, UNAVAILABLE, classify, describe, error_code
from tasks.lib.errors import (
    MgnConflict,
    MgnThrottled,
    MgnUnavailable,
    SourceNotReady,
    ValidationFailed,
    WaveflowError,
)
from tasks.lib.replication import READY_LAG_SECONDS, ReplicationView

_BY_CODE: dict[str, type[WaveflowError]] = {
    "ThrottlingException": MgnThrottled,
    "InternalServerException": MgnUnavailable,
    "ConflictException": MgnConflict,
    "ResourceNotFoundException": SourceNotReady,
    "ValidationException": ValidationFailed,
    "AccessDeniedException": ValidationFailed,
    "ServiceQuotaExceededException": ValidationFailed,
    "UninitializedAccountException": ValidationFailed,
}
_BY_CLASS = {THROTTLED: MgnThrottled, UNAVAILABLE: MgnUnavailable}


def translate(exc: Exception, what: str) -> WaveflowError | None:
    """The waveflow error for an MGN failure while doing ``what``; ``None`` if ``exc`` is not an AWS failure."""
    if isinstance(exc, ParamValidationError):
        return ValidationFailed(f"MGN {what}: refused before sending: {' '.join(str(exc).split())}")
    if isinstance(exc, ClientError) and error_code(exc) == "UninitializedAccountException":
        return ValidationFailed(
            f"MGN is not initialised in this account and region ({what}); initialise it in the MGN console or"
            f" with InitializeService first"
        )
    kind = _BY_CODE.get(error_code(exc)) if isinstance(exc, ClientError) else None
    kind = kind or _BY_CLASS.get(classify(exc))
    if kind is None and isinstance(exc, ClientError):
        kind = ValidationFailed  # an MGN 4xx we have no name for: fatal, with its code in the message
    return kind(f"MGN {what}: {describe(exc)}") if kind else None


class MgnGateway:
    """The MGN operations the stages use, over ``aws.client("mgn")``.

    >>> view = MgnGateway().replication_view(MgnGateway().source_server("s-0a1b2c3d4e5f60718"))  # doctest: +SKIP
    >>> view.ready, view.lag_seconds  # doctest: +SKIP
    (True, 4.0)
    """

    def __init__(self, client: Any = None) -> None:
        self.client = client or aws.client("mgn")

    def _call(self, operation: str, what: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return getattr(self.client, operation)(**kwargs)
        except Exception as exc:
            error = translate(exc, what)
            if error is None:
                raise
            raise error from exc

    def source_server(self, source_server_id: str) -> dict[str, Any]:
        """The DescribeSourceServers item of the server; :class:`SourceNotReady` if MGN does not know it."""
        items = self._call(
            "describe_source_servers",
            f"DescribeSourceServers {source_server_id}",
            filters={"sourceServerIDs": [source_server_id]},
        ).get("items", [])
        if not items:
            raise SourceNotReady(
                f"source server {source_server_id} is not registered with MGN; install the replication agent on it"
            )
        return items[0]

    @staticmethod
    def replication_view(server: dict[str, Any], *, ready_lag_seconds: float = READY_LAG_SECONDS) -> ReplicationView:
        """State, lag, backlog, ETA and the ready/stalled verdicts of a :meth:`source_server` item."""
        return ReplicationView.of(server, ready_lag_seconds=ready_lag_seconds)

    def start_test(self, source_server_id: str) -> dict[str, Any]:
        """Launch a test instance (StartTest); the LAUNCH job."""
        return self._call("start_test", f"StartTest {source_server_id}", sourceServerIDs=[source_server_id])["job"]

    def start_cutover(self, source_server_id: str) -> dict[str, Any]:
        """Launch the cutover instance (StartCutover); the LAUNCH job."""
        return self._call("start_cutover", f"StartCutover {source_server_id}", sourceServerIDs=[source_server_id])[
            "job"
        ]

    def job(self, job_id: str) -> dict[str, Any]:
        """The DescribeJobs item of ``job_id``; :class:`ValidationFailed` if MGN has no such job."""
        items = self._call("describe_jobs", f"DescribeJobs {job_id}", filters={"jobIDs": [job_id]}).get("items", [])
        if not items:
            raise ValidationFailed(f"MGN has no job {job_id}")
        return items[0]

    def mark_ready_for_cutover(self, source_server_id: str) -> dict[str, Any]:
        """Move the server to READY_FOR_CUTOVER (after a successful test); the updated server."""
        return self._call(
            "change_server_life_cycle_state",
            f"ChangeServerLifeCycleState {source_server_id} READY_FOR_CUTOVER",
            sourceServerID=source_server_id,
            lifeCycle={"state": "READY_FOR_CUTOVER"},
        )

    def finalize_cutover(self, source_server_id: str) -> dict[str, Any]:
        """FinalizeCutover: replication stops, the launched instance stays; the updated server."""
        return self._call("finalize_cutover", f"FinalizeCutover {source_server_id}", sourceServerID=source_server_id)

    def archive(self, source_server_id: str) -> dict[str, Any]:
        """MarkAsArchived (from CUTOVER or DISCONNECTED); the updated server."""
        return self._call("mark_as_archived", f"MarkAsArchived {source_server_id}", sourceServerID=source_server_id)

    def terminate_target_instances(self, source_server_id: str) -> dict[str, Any] | None:
        """Terminate the server's launched test/cutover instance; the TERMINATE job, ``None`` if none was launched."""
        if self.launched_instance(source_server_id) is None:
            return None
        return self._call(
            "terminate_target_instances",
            f"TerminateTargetInstances {source_server_id}",
            sourceServerIDs=[source_server_id],
        )["job"]

    def start_replication(self, source_server_id: str) -> dict[str, Any]:
        """StartReplication (MGN-legal only while replication is STOPPED); the updated server."""
        return self._call("start_replication", f"StartReplication {source_server_id}", sourceServerID=source_server_id)

    def stop_replication(self, source_server_id: str) -> dict[str, Any]:
        """StopReplication; the updated server."""
        return self._call("stop_replication", f"StopReplication {source_server_id}", sourceServerID=source_server_id)

    def retry_replication(self, source_server_id: str) -> dict[str, Any]:
        """RetryDataReplication (only MGN-legal when STALLED); the updated server."""
        return self._call(
            "retry_data_replication", f"RetryDataReplication {source_server_id}", sourceServerID=source_server_id
        )

    def launched_instance(self, source_server_id: str) -> dict[str, Any] | None:
        """The server's ``launchedInstance`` (``ec2InstanceID``, ``jobID``, ``firstBoot``), ``None`` if there is none."""
        launched = self.source_server(source_server_id).get("launchedInstance") or {}
        return launched if launched.get("ec2InstanceID") else None
