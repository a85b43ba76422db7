"""moto's DynamoDB answers serialised without its shape walk.

moto 5.2 serialises every response by walking it against the operation's botocore shapes. For DynamoDB that
walk visits each attribute value of each item against ``AttributeValue`` (ten members, each looked up under
several spellings): a 5 KB status record costs ~40 ms, and a wave reads and writes thousands. The items moto's
DynamoDB model returns are already in DynamoDB's wire form (``{"S": "..."}``, ``{"M": {...}}``), so this
serializer copies an ``AttributeValue`` as it is (binary values base64-encoded) and leaves everything else
(errors, tables, capacities) to moto's own walk. It is registered in moto's table of service-specific
serializers, the hook moto uses for S3 and SQS.
"""
from __future__ import annotations

import base64
import json
from typing import Any

from moto.core import serialize


class DynamoDBSerializer(serialize.JSONSerializer):
    """moto's JSON serializer, with DynamoDB's attribute values copied as they are."""

    def _serialize(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if shape.name == "AttributeValue" and isinstance(value, dict):
            serialized[self.get_serialized_name(shape, key)] = value
            return
        super()._serialize(serialized, value, shape, key)

    def _serialize_body(self, body: Any) -> str:
        return json.dumps(body, default=_base64)


def _base64(value: Any) -> str:
    """A binary attribute value as JSON carries it (moto's walk writes them so)."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
