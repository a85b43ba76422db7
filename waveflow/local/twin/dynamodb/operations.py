"""The DynamoDB operations the twin serves, each a method taking the request as the service receives it.

Answers are what botocore's parser would make of DynamoDB's reply (binaries as bytes, numbers as text), built
from copies of the stored items. A request is checked whole before anything is written (placeholders used and
defined, keys of the schema, item sizes), so a refused request writes nothing — in a transaction, no item.
"""
from __future__ import annotations

import bisect
import json
import time
import uuid
from functools import lru_cache
from typing import Any, Callable

from . import values
from .errors import (ConditionFailed, DynamoDBError, IdempotentMismatch, InUse, NotFound, TransactionCanceled,
                     ValidationError)
from .evaluate import Context, Update, check_operands, project, selection, test
from .expressions import Parsed, parse_condition, parse_projection, parse_update
from .key_conditions import key_condition
from .tables import Index, KeySchema, Table

PAGE_BYTES = 1024 * 1024
_WARM = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000}  # an on-demand table's warm throughput
TRANSACTION_ITEMS = 100
TOKEN_SECONDS = 600


def _units(size: int, unit: int) -> int:
    return max(1, -(-size // unit))


class Expressions:
    """The expressions one kind of request takes: (request field, its parser) pairs. Hashed and compared by
    identity (each kind is made once, below), so a request's key into ``_checked`` hashes at once."""

    def __init__(self, *fields: tuple[str, Callable]) -> None:
        self.fields = fields
        self.names = tuple(field for field, _ in fields)
        self.conditions = tuple(field for field, parse in fields if parse is parse_condition)


@lru_cache(maxsize=4096)
def _checked(expressions: Expressions, texts: tuple[str | None, ...], names: tuple[str, ...] | None,
             given_values: tuple[str, ...] | None) -> dict[str, Parsed]:
    """A request's parsed expressions (by field), once its placeholders are checked: each used one defined, each
    defined one used. What is checked depends on the expressions' texts and the placeholders' names only, not on
    what they stand for, so a wave's thousands of requests alike are checked once (a refusal is not kept: it is
    raised again, by the same checks, each time). Not to be changed: requests alike share it."""
    parsed: dict[str, Parsed] = {}
    for (field, parse), text in zip(expressions.fields, texts):
        if text is not None:
            parsed[field] = parse(text) if parse is not parse_condition else parse_condition(text, field)
    if names is not None and not parsed:
        raise ValidationError("ExpressionAttributeNames can only be specified when using expressions")
    if given_values is not None and not parsed:
        raise ValidationError("ExpressionAttributeValues can only be specified when using expressions")
    for field, found in parsed.items():
        for name in sorted(found.names):
            if name not in (names or ()):
                raise ValidationError(f"Invalid {field}: An expression attribute name used in the document path is"
                                      f" not defined; attribute name: {name}")
        for value in sorted(found.values):
            if value not in (given_values or ()):
                raise ValidationError(f"Invalid {field}: An expression attribute value used in expression is not"
                                      f" defined; attribute value: {value}")
    used_names = set().union(*(found.names for found in parsed.values()))
    used_values = set().union(*(found.values for found in parsed.values()))
    unused = sorted(set(names or ()) - used_names)
    if unused:
        raise ValidationError("Value provided in ExpressionAttributeNames unused in expressions: keys:"
                              f" {{{', '.join(unused)}}}")
    unused = sorted(set(given_values or ()) - used_values)
    if unused:
        raise ValidationError("Value provided in ExpressionAttributeValues unused in expressions: keys:"
                              f" {{{', '.join(unused)}}}")
    return parsed


class Request:
    """One request's expressions and placeholders, checked as DynamoDB checks them before it reads anything."""

    def __init__(self, params: dict[str, Any], expressions: Expressions) -> None:
        names = params.get("ExpressionAttributeNames")
        given_values = params.get("ExpressionAttributeValues")
        self.parsed = _checked(expressions, tuple([params.get(field) for field in expressions.names]),
                               None if names is None else tuple(names),
                               None if given_values is None else tuple(given_values))
        if given_values is not None:
            for name, value in given_values.items():
                values.normal(value, name)
        self.context = Context(names, given_values, "ConditionExpression")
        for field in expressions.conditions:
            if field in self.parsed:
                check_operands(self.parsed[field].tree, self.context_for(field))

    def tree(self, field: str):
        parsed = self.parsed.get(field)
        return None if parsed is None else parsed.tree

    def context_for(self, field: str) -> Context:
        self.context.kind = field
        return self.context

    def holds(self, field: str, item: dict | None) -> bool:
        tree = self.tree(field)
        return tree is None or test(tree, item, self.context_for(field))

    def projection(self) -> dict | None:
        """What the ProjectionExpression selects (``evaluate.selection``), or ``None``: whole items."""
        tree = self.tree("ProjectionExpression")
        context = self.context_for("ProjectionExpression")
        return None if tree is None else selection([context.steps(path) for path in tree])


_ITEM_EXPRESSIONS = Expressions(("ConditionExpression", parse_condition))
_UPDATE_EXPRESSIONS = Expressions(("UpdateExpression", parse_update), ("ConditionExpression", parse_condition))
_READ_EXPRESSIONS = Expressions(("ProjectionExpression", parse_projection))
_QUERY_EXPRESSIONS = Expressions(("KeyConditionExpression", parse_condition), ("FilterExpression", parse_condition),
                                 ("ProjectionExpression", parse_projection))
_SCAN_EXPRESSIONS = Expressions(("FilterExpression", parse_condition), ("ProjectionExpression", parse_projection))


def _legacy(params: dict[str, Any], *fields: str) -> None:
    for field in fields:
        if field in params:
            raise ValidationError(f"the local twin's DynamoDB does not serve the legacy parameter {field}; use"
                                  " expressions")


class DynamoDB:
    """The tables of one account and region, and the operations on them."""

    def __init__(self, region: str, account: str, now: Callable[[], float] = time.time) -> None:
        self.region, self.account, self.now = region, account, now
        self.tables: dict[str, Table] = {}
        self._tokens: dict[str, tuple[str, float]] = {}
        #: capacity units the billed requests consumed, by DynamoDB's rules (4 KB a read unit, half for eventually
        #: consistent reads; 1 KB a write unit, of the larger of the item before and after; twice in transactions;
        #: a refused conditional write still consumes its units)
        self.consumed = {"read": 0.0, "write": 0.0}
        self.billing = True  # whether the request being served is billed (``TwinDynamoDB.serve`` sets it)

    def table(self, name: str) -> Table:
        found = self.tables.get(name)
        if found is None:
            raise NotFound("Requested resource not found")
        return found

    # ---- tables -------------------------------------------------------------------------------------------------

    def CreateTable(self, params: dict) -> dict:
        name = params["TableName"]
        if name in self.tables:
            raise InUse(f"Table already exists: {name}")
        types = {d["AttributeName"]: d["AttributeType"] for d in params.get("AttributeDefinitions", [])}
        key = KeySchema.read(params["KeySchema"], "keySchema")
        indexes = [self._index(spec, True) for spec in params.get("GlobalSecondaryIndexes", [])]
        indexes += [self._index(spec, False) for spec in params.get("LocalSecondaryIndexes", [])]
        keys = set(key.names).union(*(index.key.names for index in indexes))
        if keys - set(types):
            raise ValidationError("One or more parameter values were invalid: Some index key attributes are not"
                                  f" defined in AttributeDefinitions. Keys: {sorted(keys - set(types))},"
                                  f" AttributeDefinitions: {sorted(types)}")
        if set(types) - keys:
            raise ValidationError("One or more parameter values were invalid: Number of attributes in KeySchema does"
                                  " not exactly match number of attributes defined in AttributeDefinitions")
        arn = f"arn:aws:dynamodb:{self.region}:{self.account}:table/{name}"
        billing = params.get("BillingMode", "PROVISIONED")
        throughput = params.get("ProvisionedThroughput", {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0})
        description: dict[str, Any] = {
            "AttributeDefinitions": params.get("AttributeDefinitions", []), "TableName": name,
            "KeySchema": params["KeySchema"], "TableStatus": "ACTIVE", "CreationDateTime": self.now(),
            "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, **throughput}, "TableArn": arn,
            "TableId": str(uuid.uuid5(uuid.NAMESPACE_URL, arn)), "BillingModeSummary": {"BillingMode": billing},
            "DeletionProtectionEnabled": bool(params.get("DeletionProtectionEnabled", False)),
        }
        description["WarmThroughput"] = {**_WARM, **params.get("WarmThroughput", {}), "Status": "ACTIVE"}
        for spec in params.get("GlobalSecondaryIndexes") or ():
            description.setdefault("GlobalSecondaryIndexes", []).append({
                **spec, "IndexArn": f"{arn}/index/{spec['IndexName']}", "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": spec.get("ProvisionedThroughput", {"ReadCapacityUnits": 0,
                                                                            "WriteCapacityUnits": 0}),
                "WarmThroughput": {**_WARM, **spec.get("WarmThroughput", {}), "Status": "ACTIVE"}})
        for spec in params.get("LocalSecondaryIndexes") or ():
            description.setdefault("LocalSecondaryIndexes", []).append({
                **spec, "IndexArn": f"{arn}/index/{spec['IndexName']}"})
        sse = params.get("SSESpecification")
        if sse and sse.get("Enabled"):
            description["SSEDescription"] = {
                "Status": "ENABLED", "SSEType": sse.get("SSEType", "KMS"),
                "KMSMasterKeyArn": sse.get("KMSMasterKeyId", f"arn:aws:kms:{self.region}:{self.account}:key/aws-dynamodb")}
        stream = params.get("StreamSpecification")
        if stream and stream.get("StreamEnabled"):
            description["StreamSpecification"] = stream
            description["LatestStreamArn"] = f"{arn}/stream/{description['CreationDateTime']}"
        if params.get("TableClass"):
            description["TableClassSummary"] = {"TableClass": params["TableClass"]}
        table = Table(name, key, types, indexes, description)
        self.tables[name] = table
        return {"TableDescription": self._described(table)}

    @staticmethod
    def _index(spec: dict, is_global: bool) -> Index:
        projection = spec.get("Projection", {})
        return Index(spec["IndexName"], KeySchema.read(spec["KeySchema"], "indexKeySchema"),
                     projection.get("ProjectionType", "ALL"), tuple(projection.get("NonKeyAttributes", ())),
                     is_global, {})

    @staticmethod
    def _described(table: Table) -> dict:
        return {**table.description, "ItemCount": len(table.items), "TableSizeBytes": sum(table.sizes.values())}

    def DescribeTable(self, params: dict) -> dict:
        name = params["TableName"]
        if name not in self.tables:
            raise NotFound(f"Requested resource not found: Table: {name} not found")
        return {"Table": self._described(self.tables[name])}

    def DeleteTable(self, params: dict) -> dict:
        name = params["TableName"]
        if name not in self.tables:
            raise NotFound(f"Requested resource not found: Table: {name} not found")
        table = self.tables.pop(name)
        return {"TableDescription": {**self._described(table), "TableStatus": "DELETING"}}

    def ListTables(self, params: dict) -> dict:
        names = sorted(self.tables)
        start = params.get("ExclusiveStartTableName")
        if start is not None:
            names = [name for name in names if name > start]
        limit = params.get("Limit", 100)
        answer: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            answer["LastEvaluatedTableName"] = names[limit - 1]
        return answer

    def UpdateTimeToLive(self, params: dict) -> dict:
        table = self.table(params["TableName"])
        spec = params["TimeToLiveSpecification"]
        table.time_to_live = spec["AttributeName"] if spec.get("Enabled") else None
        return {"TimeToLiveSpecification": spec}

    def DescribeTimeToLive(self, params: dict) -> dict:
        table = self.table(params["TableName"])
        if table.time_to_live is None:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": table.time_to_live}}

    def UpdateContinuousBackups(self, params: dict) -> dict:
        table = self.table(params["TableName"])
        table.recovery = bool(params["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"])
        return self.DescribeContinuousBackups(params)

    def DescribeContinuousBackups(self, params: dict) -> dict:
        table = self.table(params["TableName"])
        status = "ENABLED" if table.recovery else "DISABLED"
        return {"ContinuousBackupsDescription": {"ContinuousBackupsStatus": "ENABLED",
                                                 "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": status}}}

    # ---- items --------------------------------------------------------------------------------------------------

    def GetItem(self, params: dict) -> dict:
        _legacy(params, "AttributesToGet")
        table = self.table(params["TableName"])
        request = Request(params, _READ_EXPRESSIONS)
        key = table.key_of(params["Key"])
        item = table.get(key)
        answer = self._capacity(params, table, table.sizes.get(key, 0), read=True,
                                consistent=params.get("ConsistentRead", False))
        if item is not None:
            answer["Item"] = self._shaped(table, item, request.projection())
        return answer

    def PutItem(self, params: dict) -> dict:
        table, returns, request = self._write_request(params)
        item = values.normal_item(params["Item"])
        size = table.check_item(item)
        key = table.key_of({name: item[name] for name in table.key.names})
        old = table.get(key)
        written = max(size, table.sizes.get(key, 0))
        self._check(request, old, params, table, written)
        table.store(item, size)
        answer = self._capacity(params, table, written)
        if returns == "ALL_OLD" and old is not None:
            answer["Attributes"] = values.copy_item(old)  # no longer the table's: not remembered
        return answer

    def UpdateItem(self, params: dict) -> dict:
        _legacy(params, "AttributeUpdates", "Expected", "ConditionalOperator")
        table = self.table(params["TableName"])
        returns = self._returns(params, ("NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"))
        request = Request(params, _UPDATE_EXPRESSIONS)
        key = table.key_of(params["Key"])
        tree = request.tree("UpdateExpression")
        update = Update(tree, request.context_for("UpdateExpression"), table.key.names) if tree else None
        old = table.get(key)
        self._check(request, old, params, table, table.sizes.get(key, 0))
        new = update.apply(old) if update else dict(old or {})
        if old is None:
            new.update({name: values.normal(params["Key"][name]) for name in table.key.names})
        size = table.check_item(new, update=True, changed_from=self._changed(table, key, old, update))
        answer = self._capacity(params, table, max(size, table.sizes.get(key, 0)))
        table.store(new, size, None if old is None or update is None else update.attributes)
        if returns == "ALL_NEW":
            answer["Attributes"] = values.copy_item(new, table.marshalled)
        elif returns == "ALL_OLD" and old is not None:
            answer["Attributes"] = values.copy_item(old)  # no longer the table's: not remembered
        elif returns in ("UPDATED_NEW", "UPDATED_OLD") and update is not None:
            source, paths, memo = (new, update.written, table.marshalled) if returns == "UPDATED_NEW" \
                else (old, update.paths, None)
            changed = project(source or {}, selection(paths), memo)
            if changed:
                answer["Attributes"] = changed
        return answer

    def DeleteItem(self, params: dict) -> dict:
        table, returns, request = self._write_request(params)
        key = table.key_of(params["Key"])
        old = table.get(key)
        size = table.sizes.get(key, 0)
        self._check(request, old, params, table, size)
        table.remove(key)
        answer = self._capacity(params, table, size)
        if returns == "ALL_OLD" and old is not None:
            answer["Attributes"] = values.copy_item(old)  # no longer the table's: not remembered
        return answer

    def _write_request(self, params: dict) -> tuple[Table, str, Request]:
        """A PutItem's or DeleteItem's table, ``ReturnValues`` and checked expressions."""
        _legacy(params, "Expected", "ConditionalOperator")
        table = self.table(params["TableName"])
        return table, self._returns(params, ("NONE", "ALL_OLD")), Request(params, _ITEM_EXPRESSIONS)

    @staticmethod
    def _changed(table: Table, key, old: dict | None, update: Update | None) -> tuple | None:
        """What ``Table.check_item`` needs to measure an updated item by its changes only."""
        if old is None or update is None:
            return None
        return old, table.sizes[key], update.attributes

    @staticmethod
    def _returns(params: dict, allowed: tuple[str, ...]) -> str:
        returns = params.get("ReturnValues", "NONE")
        if returns not in allowed:
            raise ValidationError("Return values set to invalid value")
        return returns

    def _check(self, request: Request, old: dict | None, params: dict, table: Table | None = None,
               size: int = 0) -> None:
        """Refuse the write if its condition does not hold of ``old`` (a refused write on ``table`` is billed
        ``size``; a transaction bills its writes itself)."""
        if not request.holds("ConditionExpression", old):
            if table is not None:
                self._capacity(params, table, size)
            keep = params.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None
            raise ConditionFailed(values.copy_item(old, None if table is None else table.marshalled) if keep else None)

    @staticmethod
    def _shaped(table: Table, item: dict, projection: dict | None) -> dict:
        """A copy of ``item`` of ``table``, or of the parts ``projection`` names, for an answer."""
        if projection is None:
            return values.copy_item(item, table.marshalled)
        return project(item, projection, table.marshalled)

    def _capacity(self, params: dict, table: Table, size: int, *, read: bool = False, consistent: bool = True,
                  factor: float = 1.0) -> dict:
        """Bill ``size`` bytes read or written; the answer's ``ConsumedCapacity`` if the request asked for it."""
        units = (_units(size, 4096) * (1.0 if consistent else 0.5) if read else float(_units(size, 1024))) * factor
        if self.billing:
            self.consumed["read" if read else "write"] += units
        mode = params.get("ReturnConsumedCapacity", "NONE")
        if mode not in ("TOTAL", "INDEXES"):
            return {}
        consumed: dict[str, Any] = {"TableName": table.name, "CapacityUnits": units}
        if mode == "INDEXES":
            consumed["Table"] = {"CapacityUnits": units}
        return {"ConsumedCapacity": consumed}

    # ---- queries and scans --------------------------------------------------------------------------------------

    def Query(self, params: dict) -> dict:
        _legacy(params, "KeyConditions", "QueryFilter", "AttributesToGet", "ConditionalOperator")
        table = self.table(params["TableName"])
        index = self._index_of(table, params)
        request = Request(params, _QUERY_EXPRESSIONS)
        if request.tree("KeyConditionExpression") is None:
            raise ValidationError("Either the KeyConditions or KeyConditionExpression parameter must be specified in"
                                  " the request.")
        condition = key_condition(request.tree("KeyConditionExpression"),
                                  request.context_for("KeyConditionExpression"),
                                  index.key if index is not None else table.key, table.attribute_types)
        positions, keys = table.partition(condition.hash_value, index)
        low, high = condition.span(positions)
        forward = params.get("ScanIndexForward", True)
        start = params.get("ExclusiveStartKey")
        if start is not None:
            position = table.sort_key(self._start(table, index, start), index)
            if forward:
                low = max(low, bisect.bisect_right(positions, position))
            else:
                high = min(high, bisect.bisect_left(positions, position))
        places = range(low, high) if forward else range(high - 1, low - 1, -1)
        return self._page(params, table, index, request, map(keys.__getitem__, places))

    def Scan(self, params: dict) -> dict:
        _legacy(params, "ScanFilter", "AttributesToGet", "ConditionalOperator")
        table = self.table(params["TableName"])
        index = self._index_of(table, params)
        request = Request(params, _SCAN_EXPRESSIONS)
        positions, keys = table.scan_order(index)
        start = params.get("ExclusiveStartKey")
        if start is not None:
            cut = bisect.bisect_right(positions, table.scan_position(self._start(table, index, start), index))
            positions, keys = positions[cut:], keys[cut:]
        segments = params.get("TotalSegments")
        if segments is not None:
            segment = params.get("Segment")
            if segment is None or not 0 <= segment < segments:
                raise ValidationError("The Segment parameter is required but was not present in the request when"
                                      " parameter TotalSegments is present" if segment is None else
                                      f"Segment must be less than TotalSegments; Segment: {segment},"
                                      f" TotalSegments: {segments}")
            keys = [key for position, key in zip(positions, keys) if position[0] % segments == segment]
        return self._page(params, table, index, request, keys)

    @staticmethod
    def _index_of(table: Table, params: dict) -> Index | None:
        name = params.get("IndexName")
        if name is None:
            return None
        index = table.indexes.get(name)
        if index is None:
            raise ValidationError(f"The table does not have the specified index: {name}")
        if index.is_global and params.get("ConsistentRead"):
            raise ValidationError("Consistent reads are not supported on global secondary indexes")
        return index

    @staticmethod
    def _start(table: Table, index: Index | None, start: dict) -> dict:
        wanted = set(table.key.names) | (set(index.key.names) if index is not None else set())
        if set(start) != wanted:
            raise ValidationError("The provided starting key is invalid: The provided key element does not match the"
                                  " schema")
        return {name: values.normal(value) for name, value in start.items()}

    def _page(self, params: dict, table: Table, index: Index | None, request: Request, keys) -> dict:
        """One page of a Query or Scan reading the items of ``keys`` (an iterable of table keys) in turn."""
        select = params.get("Select")
        projection = request.projection()
        if select == "SPECIFIC_ATTRIBUTES" and projection is None:
            raise ValidationError("1 validation error detected: SPECIFIC_ATTRIBUTES requires ProjectionExpression")
        if select not in (None, "SPECIFIC_ATTRIBUTES") and projection is not None:
            raise ValidationError("Cannot specify the ProjectionExpression when choosing to get"
                                  f" {select}")
        if select == "ALL_ATTRIBUTES" and index is not None and index.is_global and index.projection != "ALL":
            raise ValidationError("One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not"
                                  " supported for global secondary index"
                                  f" {index.name} because its projection type is not ALL")
        limit = params.get("Limit")
        found, evaluated, read, last = [], 0, 0, None
        filter_tree = request.tree("FilterExpression")
        context = request.context_for("FilterExpression")
        remaining = iter(keys)
        for key in remaining:
            item = table.items[key]
            evaluated += 1
            read += table.sizes[key]
            if filter_tree is None or test(filter_tree, item, context):
                found.append(item)
            if evaluated == limit:
                last = item
                break
            if read >= PAGE_BYTES:  # DynamoDB's 1 MB page: a key to go on from, if anything is left
                last = item if next(remaining, None) is not None else None
                break
        answer: dict[str, Any] = {"Count": len(found), "ScannedCount": evaluated}
        if select != "COUNT":
            answer["Items"] = [self._from_index(table, index, item, projection) for item in found]
        if last is not None:
            answer["LastEvaluatedKey"] = table.key_attributes(last, index)
        answer.update(self._capacity(params, table, read, read=True, consistent=params.get("ConsistentRead", False)))
        return answer

    def _from_index(self, table: Table, index: Index | None, item: dict, projection: dict | None) -> dict:
        if index is not None and index.projection != "ALL":
            kept = set(table.key.names) | set(index.key.names) | set(index.included)
            item = {name: value for name, value in item.items() if name in kept}
        return self._shaped(table, item, projection)

    # ---- batches and transactions -------------------------------------------------------------------------------

    def BatchGetItem(self, params: dict) -> dict:
        requested = params["RequestItems"]
        if sum(len(spec.get("Keys", [])) for spec in requested.values()) > 100:
            raise ValidationError("Too many items requested for the BatchGetItem call")
        responses = {}
        for name, spec in requested.items():
            table = self.table(name)
            request = Request(spec, _READ_EXPRESSIONS)
            keys = [table.key_of(key) for key in spec["Keys"]]
            if len(set(keys)) != len(keys):
                raise ValidationError("Provided list of item keys contains duplicates")
            projection = request.projection()
            for key in keys:
                self._capacity(spec, table, table.sizes.get(key, 0), read=True,
                               consistent=spec.get("ConsistentRead", False))
            found = [table.get(key) for key in keys]
            responses[name] = [self._shaped(table, item, projection) for item in found if item is not None]
        return {"Responses": responses, "UnprocessedKeys": {}}

    def BatchWriteItem(self, params: dict) -> dict:
        requested = params["RequestItems"]
        if sum(len(writes) for writes in requested.values()) > 25:
            raise ValidationError("Too many items requested for the BatchWriteItem call")
        planned = []
        for name, writes in requested.items():
            table = self.table(name)
            seen = set()
            for write in writes:
                if "PutRequest" in write:
                    item = values.normal_item(write["PutRequest"]["Item"])
                    size = table.check_item(item)
                    key = table.key_of({key_name: item[key_name] for key_name in table.key.names})
                    planned.append((table, key, item, size))
                else:
                    key = table.key_of(write["DeleteRequest"]["Key"])
                    planned.append((table, key, None, 0))
                if key in seen:
                    raise ValidationError("Provided list of item keys contains duplicates")
                seen.add(key)
        for table, key, item, size in planned:
            self._capacity(params, table, max(size, table.sizes.get(key, 0)))
            if item is None:
                table.remove(key)
            else:
                table.store(item, size)
        return {"UnprocessedItems": {}}

    def TransactGetItems(self, params: dict) -> dict:
        gets = params["TransactItems"]
        if len(gets) > TRANSACTION_ITEMS:
            raise ValidationError(f"Member must have length less than or equal to {TRANSACTION_ITEMS}")
        responses = []
        for entry in gets:
            spec = entry["Get"]
            table = self.table(spec["TableName"])
            request = Request(spec, _READ_EXPRESSIONS)
            key = table.key_of(spec["Key"])
            item = table.get(key)
            self._capacity(params, table, table.sizes.get(key, 0), read=True, factor=2.0)
            responses.append({} if item is None else {"Item": self._shaped(table, item, request.projection())})
        return {"Responses": responses}

    def TransactWriteItems(self, params: dict) -> dict:
        actions = params["TransactItems"]
        if len(actions) > TRANSACTION_ITEMS:
            raise ValidationError(f"Member must have length less than or equal to {TRANSACTION_ITEMS}")
        token = params.get("ClientRequestToken")
        if token is not None and self._repeated(token, actions):
            return {}
        planned, targets = [], set()
        for action in actions:
            (kind, spec), = action.items()
            table = self.table(spec["TableName"])
            if kind == "Put":
                request = Request(spec, _ITEM_EXPRESSIONS)
                item = values.normal_item(spec["Item"])
                size = table.check_item(item)
                key = table.key_of({name: item[name] for name in table.key.names})
                change = (lambda old, item=item, size=size: (item, size))
            elif kind == "Update":
                request = Request(spec, _UPDATE_EXPRESSIONS)
                key = table.key_of(spec["Key"])
                update = Update(request.tree("UpdateExpression"), request.context_for("UpdateExpression"),
                                table.key.names)
                change = self._updater(table, update, spec["Key"])
            elif kind in ("Delete", "ConditionCheck"):
                request = Request(spec, _ITEM_EXPRESSIONS)
                key = table.key_of(spec["Key"])
                change = (lambda old: (None, 0)) if kind == "Delete" else None
            else:
                raise ValidationError(f"the local twin's DynamoDB does not know the transaction action {kind}")
            if (table.name, key) in targets:
                raise ValidationError("Transaction request cannot include multiple operations on one item")
            targets.add((table.name, key))
            planned.append((table, key, request, spec, change))
        reasons, results = [], []
        for table, key, request, spec, change in planned:
            old = table.get(key)
            try:
                self._check(request, old, spec)
                results.append(change(old) if change is not None else None)
                reasons.append({"Code": "None"})
            except ConditionFailed as failed:
                reasons.append({"Code": "ConditionalCheckFailed", "Message": failed.message, **failed.fields})
                results.append(None)
            except ValidationError as invalid:
                reasons.append({"Code": "ValidationError", "Message": invalid.message})
                results.append(None)
        for (table, key, _, _, _), result in zip(planned, results):
            self._capacity(params, table, max(table.sizes.get(key, 0), result[1] if result else 0), factor=2.0)
        if any(reason["Code"] != "None" for reason in reasons):
            raise TransactionCanceled(reasons)
        for (table, key, _, _, change), result in zip(planned, results):
            if change is None:
                continue
            item, size = result
            if item is None:
                table.remove(key)
            else:
                table.store(item, size)
        return {}

    @staticmethod
    def _updater(table: Table, update: Update, key: dict):
        def change(old: dict | None) -> tuple[dict, int]:
            new = update.apply(old)
            if old is None:
                new.update({name: values.normal(key[name]) for name in table.key.names})
            changed = None if old is None else (old, table.size_of(old), update.attributes)
            return new, table.check_item(new, update=True, changed_from=changed)
        return change

    def _repeated(self, token: str, actions: list) -> bool:
        """Whether a transaction with this token was already done in the last ten minutes (then: nothing to do)."""
        body = json.dumps(actions, sort_keys=True, default=values.to_json)
        now = self.now()
        seen = self._tokens.get(token)
        if seen is not None and now - seen[1] < TOKEN_SECONDS:
            if seen[0] != body:
                raise IdempotentMismatch("Request with the same client request token but different parameters"
                                         " was received within the last 10 minutes")
            return True
        self._tokens[token] = (body, now)
        return False


def error_body(error: DynamoDBError) -> dict:
    """The JSON DynamoDB answers an error with."""
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{error.code}", "message": error.message, **error.fields}
    return json.loads(json.dumps(body, default=values.to_json))


_TABLE_OPERATIONS = frozenset(("CreateTable", "DescribeTable", "DeleteTable", "UpdateContinuousBackups",
                               "DescribeContinuousBackups"))


def item_operation(name: str) -> bool:
    """Whether ``name`` answers with items only (no timestamps), so its answer can skip botocore's parser."""
    return name not in _TABLE_OPERATIONS

