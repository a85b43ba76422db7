"""MGN's error answers, as Python exceptions the operations raise and the protocol serialises.

Each class is named exactly as the wire error (``x-amzn-ErrorType``); its HTTP status comes from the botocore
model, so botocore raises ``client.exceptions.<Name>`` for it. ``fields`` carry the shape's other members
(``resourceId``, ``fieldList``, ``retryAfterSeconds``...).
"""
from __future__ import annotations


class MgnError(Exception):
    """Base of every error the emulator answers with; never raised itself."""

    code = "MgnError"
    status = 400

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message)
        self.message = message
        self.fields = {name: value for name, value in fields.items() if value is not None}


class ConflictException(MgnError):
    """The resource's current state does not allow the request (HTTP 409)."""

    code = "ConflictException"
    status = 409


class ValidationException(MgnError):
    """A request field is malformed, or (for operations without ConflictException) the state forbids it."""

    code = "ValidationException"


class ResourceNotFoundException(MgnError):
    """No source server, job or tagged resource has the given id or ARN (HTTP 404)."""

    code = "ResourceNotFoundException"
    status = 404


class ThrottlingException(MgnError):
    """Injected throttling (HTTP 429); ``retryAfterSeconds`` travels in the Retry-After header."""

    code = "ThrottlingException"
    status = 429


class InternalServerException(MgnError):
    """Injected server fault (HTTP 500)."""

    code = "InternalServerException"
    status = 500


class UninitializedAccountException(MgnError):
    """MGN was not initialised in this account and region (InitializeService not called)."""

    code = "UninitializedAccountException"


class UnknownOperationException(MgnError):
    """The request names no MGN operation, or one the emulator does not implement (as AWS answers, HTTP 404)."""

    code = "UnknownOperationException"
    status = 404


class Refused(Exception):
    """The model refuses a change in the current state; the protocol answers it with the operation's own error.

    MGN answers such refusals with ConflictException where the operation declares it and with
    ValidationException otherwise (RetryDataReplication declares no ConflictException).
    """

    def __init__(self, message: str, resource_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.resource_id = resource_id
