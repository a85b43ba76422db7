"""The routing rule of the local runtime (docs/interfaces.md): which in-process handler or registered state
machine a Lambda function ARN, a bare name or an unresolved ``${...}`` placeholder means."""
from __future__ import annotations

import re
from functools import lru_cache

_FUNCTION_ARN = re.compile(r"^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$")
_FUNCTION_PLACEHOLDER = re.compile(r"^\$\{(\w+?)FunctionArn\}$")
_MACHINE_ARN = re.compile(r"^arn:aws[\w-]*:states:[^:]*:[^:]*:stateMachine:([^:]+)(?::[^:]+)?$")
_MACHINE_PLACEHOLDER = re.compile(r"^\$\{(\w+?)StateMachineArn\}$")


def function_name(reference: str) -> str:
    """``arn:aws:lambda:R:A:function:NAME[:Q]`` / ``NAME`` / ``${NAMEFunctionArn}`` -> ``NAME``.

    >>> function_name("${ValidateInputFunctionArn}")
    'ValidateInput'
    """
    return _known_function_name(reference) if type(reference) is str else _function_name(reference)


def _function_name(reference: str) -> str:
    for pattern in (_FUNCTION_ARN, _FUNCTION_PLACEHOLDER):
        match = pattern.match(reference)
        if match:
            return match.group(1)
    return reference.split(":")[0] if ":" in reference and not reference.startswith("arn:") else reference


#: asked on every invocation, of a definition's few references: two regexes each time
_known_function_name = lru_cache(maxsize=1024)(_function_name)


def state_machine_name(reference: str) -> str:
    """``arn:aws:states:R:A:stateMachine:NAME`` / ``${NAMEStateMachineArn}`` / ``NAME`` -> ``NAME``."""
    for pattern in (_MACHINE_ARN, _MACHINE_PLACEHOLDER):
        match = pattern.match(reference)
        if match:
            return match.group(1)
    return reference


def is_lambda_function_resource(resource: str) -> bool:
    return bool(_FUNCTION_ARN.match(resource) or _FUNCTION_PLACEHOLDER.match(resource))
