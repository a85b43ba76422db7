"""TestState's ``fieldValidationMode``: a mocked result checked against the API model of the integration it
stands for, with the messages TestState gives ("Mock result schema validation error: Field 'Entries' must be an
array").

The models are botocore's (already installed with boto3): ``lambda:invoke`` is Lambda's Invoke output,
``sqs:sendMessage`` SQS's SendMessage, ``aws-sdk:s3:getObject`` S3's GetObject, and so on. Step Functions
capitalises member names (``ExecutionArn`` for StartExecution's ``executionArn``), and so does this. STRICT checks
required fields and types, PRESENT only the fields present, NONE nothing. Fields the model does not know pass,
as on AWS. Integrations without a model (a plain Lambda function ARN, activities) are not checked.
"""
from __future__ import annotations

import re

MODES = ("STRICT", "PRESENT", "NONE")
_OPTIMIZED = re.compile(r"^arn:aws[\w-]*:states:::(?P<service>[\w-]+):(?P<action>\w+)(?P<suffix>\..*)?$")
_SDK = re.compile(r"^arn:aws[\w-]*:states:::aws-sdk:(?P<service>[\w-]+):(?P<action>\w+)$")
_SERVICE_NAMES = {"sfn": "stepfunctions", "states": "stepfunctions"}
_NUMBERS = ("integer", "long", "float", "double")


class MockValidationError(ValueError):
    """Raised when a mocked result does not fit the integration's API model (TestState's ValidationException)."""


def output_shape(resource: str):
    """The botocore output shape of the API a Task ``Resource`` calls, or None when none applies."""
    match = _SDK.match(resource)
    suffix = None
    if match is None:
        match = _OPTIMIZED.match(resource)
        if match is None:
            return None
        suffix = match.group("suffix")
    service, action = match.group("service"), match.group("action")
    if suffix == ".waitForTaskToken":
        return None  # the result is whatever SendTaskSuccess sends
    if (service, action, suffix) in (("states", "startExecution", ".sync"), ("states", "startExecution", ".sync:2")):
        action = "describeExecution"
    operation = action[0].upper() + action[1:]
    import botocore.session
    try:
        model = botocore.session.get_session().get_service_model(_SERVICE_NAMES.get(service, service))
        return model.operation_model(operation).output_shape
    except Exception:  # an unknown service or operation has no model to check against (botocore's own errors)
        return None


def validate(result, shape, mode: str) -> None:
    """Raise MockValidationError for the first problem ``mode`` finds in ``result`` against ``shape``."""
    if mode == "NONE" or shape is None:
        return
    if not isinstance(result, dict):
        raise MockValidationError("Mock result schema validation error: the result must be a JSON object")
    _structure(result, shape, mode == "STRICT")


def _fail(field: str, problem: str):
    raise MockValidationError(f"Mock result schema validation error: Field '{field}' {problem}")


def _structure(value: dict, shape, strict: bool) -> None:
    members = {name[0].upper() + name[1:]: member for name, member in shape.members.items()}
    if strict:
        for name in shape.required_members:
            if name[0].upper() + name[1:] not in value:
                raise MockValidationError(f"Mock result schema validation error: Required field "
                                          f"'{name[0].upper() + name[1:]}' is missing")
    for name, item in value.items():
        if name in members:
            _check(name, item, members[name], strict)


def _check(field: str, value, shape, strict: bool) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            _fail(field, "must be an object")
        _structure(value, shape, strict)
    elif kind == "list":
        if not isinstance(value, list):
            _fail(field, "must be an array")
        for item in value:
            _check(field, item, shape.member, strict)
    elif kind == "map":
        if not isinstance(value, dict):
            _fail(field, "must be an object")
        for item in value.values():
            _check(field, item, shape.value, strict)
    elif kind in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            _fail(field, "must be a number")
        limits = shape.metadata
        if "min" in limits and value < limits["min"]:
            _fail(field, "is less than the minimum value")
        if "max" in limits and value > limits["max"]:
            _fail(field, "exceeds the maximum value")
    elif kind == "boolean":
        if not isinstance(value, bool):
            _fail(field, "must be a boolean")
    else:  # string, blob, timestamp: JSON strings
        if not isinstance(value, str):
            _fail(field, "must be a string")
        if kind == "string" and shape.enum and value not in shape.enum:
            _fail(field, "is not an expected value")
        if "min" in shape.metadata and len(value) < shape.metadata["min"]:
            _fail(field, "is smaller than the minimum length")
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            _fail(field, "is larger than the maximum length")
