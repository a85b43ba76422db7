"""Whether a function's role allows an AWS call: the permissions table used as an oracle.

``tests/tasks`` record every call a handler makes (botocore's ``before-parameter-build`` event) and ask
:func:`allows` about each, so a handler that starts calling an API its role does not grant fails its tests
until :mod:`waveflow.stack.functions` grants it. The call's target is recognised as one of the stack's
resources when a parameter that names such a resource (``TableName``, ``QueueUrl``, ``EventBusName``, ...)
holds the value the function's environment gives that resource; such a call must be granted on that resource.
A call on anything else (an instance, a hosted zone, a source server) needs a grant of its action.
"""
from __future__ import annotations

from collections.abc import Mapping

from .functions import FUNCTIONS
from .resources import RESOURCES

#: Calls IAM never refuses: STS answers GetCallerIdentity whatever the policy says.
UNCHECKED = {"sts:GetCallerIdentity"}
#: DynamoDB authorises a transaction item by item, as the single-item action of each (there is no IAM action
#: for the transaction itself).
TRANSACTIONS = {"dynamodb:TransactWriteItems": {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem",
                                                "Delete": "dynamodb:DeleteItem",
                                                "ConditionCheck": "dynamodb:ConditionCheckItem"},
                "dynamodb:TransactGetItems": {"Get": "dynamodb:GetItem"}}


def iam_action(service_model, operation: str) -> str:
    """The IAM action of a botocore operation: ``sfn`` StartExecution -> ``states:StartExecution``."""
    prefix = service_model.signing_name or service_model.endpoint_prefix
    return f"{prefix}:{operation}"


def target(params: Mapping, environ: Mapping[str, str]) -> str | None:
    """The stack resource a call's parameters name (by the value of its variable), or None."""
    names = {}
    for key, value in _named(params):
        names.setdefault(key, value)
    for name, resource in RESOURCES.items():
        if resource.env and environ.get(resource.env) and any(names.get(p) == environ[resource.env]
                                                              for p in resource.named_by):
            if name == "StatusTable" and names.get("IndexName"):
                return "StatusTableIndexes"
            return name
    return None


def allows(function: str, action: str, params: Mapping, environ: Mapping[str, str],
           functions: Mapping = FUNCTIONS) -> str | None:
    """None if ``function``'s role allows ``action`` with ``params``; else why not, naming what to grant.

    >>> allows("WaveSummary", "dynamodb:Query", {"TableName": "t", "IndexName": "waveIndex"},
    ...        {"WAVEFLOW_STATUS_TABLE": "t"}) is None
    True
    """
    if action in UNCHECKED:
        return None
    spec = functions.get(function)
    if spec is None:
        return f"{function} has no entry in waveflow/stack/functions.py"
    if action in TRANSACTIONS:
        items = [(TRANSACTIONS[action][kind], item) for entry in params.get("TransactItems", [])
                 for kind, item in entry.items() if kind in TRANSACTIONS[action]]
        return next(filter(None, (allows(function, a, p, environ, functions) for a, p in items)), None)
    resource = target(params, environ)
    for grant in spec.grants:
        if action in grant.actions and (resource is None or resource in grant.on or "*" in grant.on):
            return None
    on = f" on {resource}" if resource else ""
    return f"{function} called {action}{on}, which its role does not allow; grant it in waveflow/stack/functions.py"


def _named(params):
    """(key, value) of every string parameter, including those one level down in lists of objects (Entries)."""
    for key, value in params.items():
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    yield from ((k, v) for k, v in item.items() if isinstance(v, str))
