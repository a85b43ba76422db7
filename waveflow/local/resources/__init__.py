"""Task resources, found by ARN through a table of patterns (one integration class per kind)."""
from __future__ import annotations

import re

from .base import Integration
from .lambda_ import LambdaFunction, LambdaInvoke
from .sdk import OPTIMIZED_ACTIONS, SdkCall
from .sfn import StartExecution
from ..routing import is_lambda_function_resource

_SERVICE = re.compile(r"^arn:aws[\w-]*:states:[^:]*:[^:]*:(?P<api>[\w-]+(?::[\w-]+)+)(?P<suffix>\.sync(?::2)?|"
                      r"\.waitForTaskToken)?$")
_PATTERNS = {None: "request", ".sync": "sync", ".sync:2": "sync", ".waitForTaskToken": "callback"}


class UnsupportedResource(ValueError):
    """Raised at load time for a Task Resource the local runtime cannot run."""


def _lambda_invoke(arn, parts, suffix):
    if parts != ["lambda", "invoke"] or suffix not in (None, ".waitForTaskToken"):
        return None
    return LambdaInvoke(arn, _PATTERNS[suffix])


def _start_execution(arn, parts, suffix):
    if parts != ["states", "startExecution"]:
        return None
    return StartExecution(arn, _PATTERNS[suffix], version2=suffix == ".sync:2")


def _aws_sdk(arn, parts, suffix):
    if len(parts) != 3 or parts[0] != "aws-sdk" or suffix not in (None, ".waitForTaskToken"):
        return None
    return SdkCall(arn, parts[1], parts[2], optimized=False, pattern=_PATTERNS[suffix])


def _optimized(arn, parts, suffix):
    if len(parts) != 2 or parts[1] not in OPTIMIZED_ACTIONS.get(parts[0], ()):
        return None
    if suffix not in (None, ".waitForTaskToken"):
        return None
    return SdkCall(arn, parts[0], parts[1], optimized=True, pattern=_PATTERNS[suffix])


_SERVICE_FACTORIES = (_lambda_invoke, _start_execution, _aws_sdk, _optimized)


def integration_for(resource: str) -> Integration:
    """The integration that runs ``resource``; raises UnsupportedResource naming it."""
    if not isinstance(resource, str):
        raise UnsupportedResource(f"Resource must be a string, not {type(resource).__name__}")
    if is_lambda_function_resource(resource):
        return LambdaFunction(resource)
    match = _SERVICE.match(resource)
    if match:
        parts = match.group("api").split(":")
        for factory in _SERVICE_FACTORIES:
            integration = factory(resource, parts, match.group("suffix"))
            if integration is not None:
                return integration
    raise UnsupportedResource(f"Resource '{resource}' is not supported by the local runtime (supported: Lambda "
                              f"function ARNs, lambda:invoke, states:startExecution, aws-sdk:*, dynamodb, sqs, "
                              f"sns and events integrations)")
