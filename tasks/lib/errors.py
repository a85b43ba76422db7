"""The errors the tasks raise: one class per error name in docs/interfaces.md.

Step Functions sees a Lambda failure under the exception's class name, so each class name here *is* the error
name a workflow's Retry/Catch matches. ``transient`` says which side of that split a class sits on: transient
errors are retried with backoff by the workflow (or redelivered by SQS), the others go to rollback at once.
"""

from __future__ import annotations


class WaveflowError(Exception):
    """Base of every error a waveflow task raises on purpose."""

    transient = False


class MgnThrottled(WaveflowError):
    """MGN answered ThrottlingException; retry later."""

    transient = True


class MgnUnavailable(WaveflowError):
    """MGN failed on its side (InternalServerException, HTTP 5xx, no connection); retry later."""

    transient = True


class AwsThrottled(WaveflowError):
    """Another AWS service (DynamoDB, EventBridge, SQS...) throttled or failed on its side; retry later."""

    transient = True


class CallbackUnavailable(WaveflowError):
    """The requester's callback URL did not answer or answered 5xx/429; retry later."""

    transient = True


class InvalidMigrationDocument(WaveflowError):
    """A migration request or state document breaks the request schema; ``problems`` lists every fault."""

    def __init__(self, message: str, problems: tuple = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class ValidationFailed(WaveflowError):
    """A prerequisite of the migration does not hold (MGN not initialised, access denied, bad target...)."""


class SourceNotReady(WaveflowError):
    """The source server is unknown to MGN or not in a state that allows the next step."""


class IllegalTransition(WaveflowError):
    """A status change that the legal transition table refuses; nothing was written."""


class ReplicationStalled(WaveflowError):
    """MGN replication is STALLED and did not recover."""


class LaunchFailed(WaveflowError):
    """An MGN test or cutover launch job ended without a launched instance."""


class VerificationFailed(WaveflowError):
    """The launched instance failed its checks."""


class UnsupportedDnsRecord(WaveflowError):
    """``dns.recordName`` holds a record the cutover cannot switch and put back (alias, weighted, latency...)."""


class MgnConflict(WaveflowError):
    """MGN refused the call for the server's current lifecycle state (ConflictException)."""


class MigrationNotFound(WaveflowError):
    """No status record exists for the migration ID."""


class CallbackRejected(WaveflowError):
    """The requester's callback URL refused the notification (4xx other than 429)."""


class WaveCutoverRejected(WaveflowError):
    """The wave's cutover was rejected (or its approval timed out or failed): the server is rolled back."""


class ConfigError(WaveflowError):
    """The task's environment is missing or has an invalid setting; raised at cold start."""


# -- request identity and dead-lettering (issue 12) ------------------------------------------------------------


class RequestConflict(WaveflowError):
    """A request meets a migration it cannot be (its ID is another server's or wave's, or its server and wave
    are already a migration under another ID or with other content); ingress dead-letters it with ``problem``."""

    def __init__(self, message: str, problem: object) -> None:
        super().__init__(message)
        self.problem = problem
