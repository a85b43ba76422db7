"""moto, faster where a simulated wave spends its time, without changing what it answers.

Each module replaces a part of moto that does far more work than its answer needs, and says why: ``serializer``
(DynamoDB answers written without walking botocore's shapes), ``sizes`` (item sizes measured in one pass, kept until
the item changes), ``items`` (items copied and projected in one pass, not copied where they are only read),
``transactions`` (a failed transaction restored from copies of its items, not of its tables), ``tracking`` (items no
longer kept after their last use), ``dispatch`` (a response class's methods listed once), ``ec2`` (instances and
tags found by ID, not by walking the account), ``ssm`` (a command sent to the instances it names, not to every
instance: the one answer changed, to SSM's). ``tests/local/twin/test_speed.py`` (DynamoDB) and
``test_speed_services.py`` (the others) hold moto's answers with and without them side by side.

    >>> with faster_moto():     # doctest: +SKIP
    ...     run_the_wave()
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from moto.core import serialize

from . import dispatch, ec2, items, sizes, ssm, tracking, transactions
from .serializer import DynamoDBSerializer

_MISSING = object()
_PARTS = (sizes, items, transactions, tracking, dispatch, ec2, ssm)


@contextmanager
def faster_moto() -> Iterator[None]:
    """Use this package's replacements of moto's parts while the block runs."""
    table = serialize.SERVICE_SPECIFIC_SERIALIZERS
    saved_serializer = table.get("dynamodb")
    table["dynamodb"] = {**(saved_serializer or {}), "json": DynamoDBSerializer}
    with _replaced([replacement for part in _PARTS for replacement in part.replacements()]):
        try:
            yield
        finally:
            if saved_serializer is None:
                table.pop("dynamodb", None)
            else:
                table["dynamodb"] = saved_serializer


@contextmanager
def _replaced(replacements: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """Set each ``owner.attribute`` to its replacement, and back to what it was after."""
    saved = [(owner, name, owner.__dict__.get(name, _MISSING)) for owner, name, _ in replacements]
    for owner, name, replacement in replacements:
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, value in reversed(saved):
            if value is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, value)
