"""Dead-lettering a message with its reason, whatever its size.

A message that cannot become a migration goes to the DLQ at once with ``waveflow.*`` message attributes, the
first being ``waveflow.reason``. SQS counts the body *and* every attribute (name, data type and value, in UTF-8
bytes) toward the queue's ``MaximumMessageSize``, which is read from the queue itself (``GetQueueAttributes``,
once per cold start), never assumed. So:

* the body goes unchanged when it fits beside its attributes; a body SQS cannot carry as text (not UTF-8,
  control characters, empty) goes base64 with ``waveflow.bodyEncoding: base64`` (``empty`` for no body);
* a body too large for that is stored in S3, in the bucket ``WAVEFLOW_PAYLOAD_BUCKET``, under
  ``dead-letters/<sha256 of its bytes>``, exactly as it arrived; the DLQ message then carries a JSON pointer
  ``{"bucket", "key", "sha256", "bytes"}`` with ``waveflow.bodyEncoding: s3``;
* the reason is at most :data:`REASON_MAX_BYTES` bytes, and shorter when only that makes the message fit.

So every invalid message reaches the DLQ with its reason: none is handed back to SQS for good, none escapes
the handler, and none is left for SQS's own redrive, which carries no reason.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from tasks.lib import aws
from tasks.lib.awserrors import transient_as_throttled
from tasks.lib.config import load_config
from tasks.lib.errors import ConfigError

REASON = "waveflow.reason"
BODY_ENCODING = "waveflow.bodyEncoding"
REASON_MAX_BYTES = 8192
PAYLOAD_PREFIX = "dead-letters/"
_DATA_TYPE = "String"
_TRUNCATED = " [...]"
# The characters SQS accepts in a message body or attribute (the XML 1.0 character set).
_NOT_SQS_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

#: Per queue URL: (the SQS client it was read with, the queue's MaximumMessageSize).
_LIMITS: dict[str, tuple[Any, int]] = {}


def sqs_text(text: str) -> str:
    """``text`` with every character SQS refuses written as a ``\\uXXXX`` escape."""
    return _NOT_SQS_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def raw_bytes(body: Any) -> bytes:
    """The bytes a message body arrived as (text as UTF-8, lone surrogates kept)."""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")
    return repr(body).encode("utf-8")


def carried_body(body: Any) -> tuple[str, str | None]:
    """The body as SQS can carry it and its encoding: unchanged whenever possible, else base64."""
    if isinstance(body, str) and body and not _NOT_SQS_TEXT.search(body):
        return body, None
    data = raw_bytes(body)
    return (base64.b64encode(data).decode("ascii"), "base64") if data else ("(empty body)", "empty")


def message_bytes(body: str, attributes: dict[str, str]) -> int:
    """What SQS counts toward ``MaximumMessageSize``: the body and each attribute's name, type and value.

    >>> message_bytes("{}", {"waveflow.reason": "é"})
    25
    """
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(_DATA_TYPE) + len(value.encode("utf-8"))
    return size


def clipped(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` UTF-8 bytes (whole characters), marked when cut.

    >>> clipped("abcdefghij", 8)
    'ab [...]'
    """
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    keep = max(0, max_bytes - len(_TRUNCATED))
    return data[:keep].decode("utf-8", "ignore") + _TRUNCATED[: max_bytes - keep]


def max_message_bytes(sqs: Any, url: str) -> int:
    """The queue's ``MaximumMessageSize``, read once per SQS client (one per cold start)."""
    cached = _LIMITS.get(url)
    if cached is None or cached[0] is not sqs:
        with transient_as_throttled(f"SQS GetQueueAttributes of {url}"):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])["Attributes"]
        cached = (sqs, int(attributes["MaximumMessageSize"]))
        _LIMITS[url] = cached
    return cached[1]


@dataclass
class DeadLetterQueue:
    """Sends invalid messages to the DLQ at ``url`` with their reason (see the module docstring).

    >>> DeadLetterQueue(aws.client("sqs"), dlq_url).send(b"\\xff", "not UTF-8", {"waveflow.sourceMessageId": "m-1"})  # doctest: +SKIP
    'inline'
    """

    sqs: Any
    url: str

    def send(self, body: Any, reason: str, attributes: dict[str, str]) -> str:
        """Dead-letter ``body`` with ``reason`` and the other ``waveflow.*`` attributes; ``"inline"`` or ``"s3"``."""
        limit = max_message_bytes(self.sqs, self.url)
        text, encoding = carried_body(body)
        others = {name: sqs_text(value) for name, value in attributes.items()}
        fields = {REASON: clipped(sqs_text(reason), REASON_MAX_BYTES), **others}
        where = "inline"
        if message_bytes(text, {**fields, **({BODY_ENCODING: encoding} if encoding else {})}) > limit:
            text, encoding, where = self._stored(raw_bytes(body)), "s3", "s3"
        if encoding:
            others[BODY_ENCODING] = encoding
        room = limit - message_bytes(text, {**others, REASON: ""})
        if room < len(_TRUNCATED) + 1:
            raise ConfigError(f"the DLQ {self.url} (MaximumMessageSize {limit}) cannot carry a reason beside "
                              "its other attributes; raise its MaximumMessageSize")
        fields = {REASON: clipped(fields[REASON], room), **others}
        with transient_as_throttled(f"SQS SendMessage to {self.url}"):
            self.sqs.send_message(
                QueueUrl=self.url,
                MessageBody=text,
                MessageAttributes={name: {"DataType": _DATA_TYPE, "StringValue": value} for name, value in fields.items()},
            )
        return where

    def _stored(self, data: bytes) -> str:
        """Put ``data`` in the payload bucket under its SHA-256; the pointer the DLQ message carries instead."""
        bucket = load_config().require("payload_bucket")
        digest = hashlib.sha256(data).hexdigest()
        key = f"{PAYLOAD_PREFIX}{digest}"
        with transient_as_throttled(f"S3 PutObject s3://{bucket}/{key}"):
            aws.client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType="application/octet-stream")
        return json.dumps({"bucket": bucket, "key": key, "sha256": digest, "bytes": len(data)}, sort_keys=True)
