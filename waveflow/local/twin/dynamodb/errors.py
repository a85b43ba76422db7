"""DynamoDB's errors as the twin raises them; the service answers each with its HTTP 400 and ``__type``."""
from __future__ import annotations

from typing import Any


class DynamoDBError(Exception):
    """An error DynamoDB answers with: its code (``__type``), message and modelled fields (``Item``, ...)."""

    code = "InternalServerError"

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class ValidationError(DynamoDBError):
    code = "ValidationException"


class ConditionFailed(DynamoDBError):
    code = "ConditionalCheckFailedException"

    def __init__(self, item: dict | None = None) -> None:
        super().__init__("The conditional request failed", **({"Item": item} if item is not None else {}))


class NotFound(DynamoDBError):
    code = "ResourceNotFoundException"


class InUse(DynamoDBError):
    code = "ResourceInUseException"


class TransactionCanceled(DynamoDBError):
    code = "TransactionCanceledException"

    def __init__(self, reasons: list[dict]) -> None:
        codes = ", ".join(reason["Code"] for reason in reasons)
        super().__init__(f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                         CancellationReasons=reasons)


class IdempotentMismatch(DynamoDBError):
    code = "IdempotentParameterMismatchException"


class UnknownOperation(DynamoDBError):
    code = "UnknownOperationException"
