"""Faster replacements of moto's (and botocore's) parts that do far more work per request than their answers need.

The twin still asks moto for the services it does not answer itself (EC2, SSM, Route 53, SQS, SNS, ...). Each module
of this package replaces one of moto's internals with one that does less work, and says why: ``dispatch`` (a response
class's methods listed once; an action's method name, a REST request's route, an answer's operation model once),
``request_ids`` (a request ID drawn in one call, from the same random numbers), ``response_setup`` (an operation's
request parser made once, the access key looked for only where it may be, a second's ``Date`` text written once),
``picker`` (where a member's value is in a result worked out once per kind of member),
``ec2`` (instances and tags found by ID, not by walking the account; a launch's offered instance type found at a
look-up), ``ec2_subnets`` (a subnet's free addresses counted over its own network interfaces, not the account's),
``ssm`` (a command sent to the instances it names, not to every instance: the one answer changed, to SSM's; a command
found by its ID), ``route53`` (a zone's record sets kept in order, a page found by bisection, an UPSERT's record set
by its kept place, a change found in the zone's journal by value), ``sqs`` (a queue's messages walked against one
reading of the clock, its attributes' names converted once, a received message's retention period read from its
queue), ``json_params`` (SSM's and Secrets Manager's request body decoded once, not once per parameter), ``direct``
(moto's answers handed to botocore as parsed values at ``before-call``, without sending the request through moto's
stubber or writing and parsing text; for the sessions made while it is on). Importing the package imports moto's
EC2 through ``ec2_import``, which leaves each region's instance-type offerings unread until asked for.
``api_call`` and ``client`` do the same for botocore's side of every request, whoever answers it: what follows
from the operation alone worked out once per operation (``api_call``); a client's endpoint, user agent, URL and
checksum decisions remembered for the inputs they follow from; ``signing`` the SigV4 signing key and a URL's part of
the canonical request; ``validate`` (valid parameters recognised by a check made once per shape, ``shapes``,
botocore's validator reporting the rest), ``serialize`` (a JSON body's values converted by a function made once per
shape), ``json_body`` (a JSON protocol request's parameters checked and converted in one walk, the rest of the
request remembered per operation) and ``hooks`` (an event handed to its handlers with one call less).
``faster_moto()`` applies them, and ``botocore_models`` beside this package (every session a run makes reads
botocore's model files through one shared loader), while a run lasts and puts moto's and botocore's own back after;
``tests/local/twin/test_speed_services.py`` and ``test_speed_direct.py`` hold moto's answers with and without them
side by side (``test_speed_dispatch.py`` the text of every answer, request IDs included), ``test_speed_client.py``
the requests botocore hands to ``before-call``, ``test_speed_signing.py`` the signatures, ``test_speed_params.py``
the reports and requests for inputs drawn from the operations' shapes, ``test_speed_hooks.py`` the handlers' calls,
``test_botocore_models.py`` the shared loader, ``test_speed_ec2.py`` launches, subnets and offerings.

    >>> with faster_moto():     # doctest: +SKIP
    ...     run_the_wave()
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from .. import botocore_models
from . import ec2_import  # noqa: F401  first: imports moto's EC2 for less (see there), before the parts below do
from . import (api_call, client, direct, dispatch, ec2, ec2_subnets, hooks, json_body, json_params, picker,
               request_ids, response_setup, route53, serialize, signing, sqs, ssm, validate)

#: each part's replacements, applied in this order
_PARTS = (botocore_models, dispatch, request_ids, response_setup, picker, ec2, ec2_subnets, route53, ssm, json_params,
          sqs, direct, api_call, client, signing, validate, serialize, json_body, hooks)
_MISSING = object()


@contextmanager
def faster_moto() -> Iterator[None]:
    """Use this package's replacements of moto's parts while the block runs."""
    with _replaced([replacement for part in _PARTS for replacement in part.replacements()]):
        yield


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
