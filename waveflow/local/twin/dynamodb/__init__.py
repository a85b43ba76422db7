"""The twin's own DynamoDB: the tables of the stack in memory, answering the tasks' requests at botocore's wire.

moto's DynamoDB spends milliseconds on each request (it re-parses every expression, copies items several times
and scans whole tables to answer a query), which made a wave's DynamoDB traffic most of its run time and grow
faster than the wave. The twin answers DynamoDB as it answers Step Functions: on botocore's ``before-call`` hook
of its session, so the tasks' clients, Powertools' idempotency layer and the run's own reads are unchanged
boto3 clients, their requests serialised and checked by botocore as for AWS. Expressions are parsed and their
placeholders checked once per text (``operations.py``); an item is found in one lookup, an update measures only
the values it made (``values.Measured``), an answer marshals only the values not copied before
(``values.Marshalled``) and a query reads only the items its page holds or its filter drops (``tables.py``,
``key_conditions.py``).

    >>> dynamodb = TwinDynamoDB("us-east-1", "123456789012")
    >>> dynamodb.install(session, wiring)      # doctest: +SKIP  (before clients are built from ``session``)

What it serves is the API the stack and its functions use (``operations.py``: tables, items, queries and scans,
batches, transactions), with DynamoDB's checks and error messages; any other operation is answered with
``UnknownOperationException`` rather than passed on to moto, which would hold none of the twin's tables.
``tests/local/twin/test_dynamodb.py`` holds the same conversations answered by moto and by the twin.
"""
from __future__ import annotations

from ..wire import Reply, Wiring
from .errors import DynamoDBError, UnknownOperation
from .operations import DynamoDB, error_body, item_operation
from .values import item_size

__all__ = ["TwinDynamoDB", "item_size"]


class TwinDynamoDB(DynamoDB):
    """DynamoDB of one account and region, served on the sessions it is installed on."""

    def install(self, session, wiring: Wiring, *, billed: bool = True) -> None:
        """Answer DynamoDB requests of clients built from ``session`` from now on (``billed``: count the capacity
        they consume in ``consumed``)."""
        wiring.answer(session, "dynamodb", lambda operation, params: self.serve(operation, params, billed=billed))

    def usage(self) -> dict[str, float]:
        """The billed requests' capacity units, as ``prices.json`` names them."""
        return {"dynamodb_read_units": self.consumed["read"], "dynamodb_write_units": self.consumed["write"]}

    def serve(self, operation: str, params: dict, *, billed: bool = True) -> Reply:
        """The reply to one request (``params``: the request's JSON body as botocore serialised it, decoded for this
        call alone: the twin keeps the values it brings, normalised in place, ``values.normal``)."""
        self.billing = billed
        method = getattr(self, operation, None) if operation[:1].isupper() else None
        try:
            if method is None:
                raise UnknownOperation(f"the local twin's DynamoDB does not serve {operation}")
            answer = method(params)
        except DynamoDBError as error:
            return Reply(400, error_body(error))
        return Reply(200, answer, parsed=item_operation(operation))
