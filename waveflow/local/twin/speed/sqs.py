"""moto's SQS: a received message's retention checked against its queue's period, read once.

For each message ReceiveMessage hands out, moto checks that it is still within its queue's retention period by
asking for the queue's attributes (``get_queue_attributes(["MessageRetentionPeriod"])``), which builds the queue's
whole table of attributes, each name turned into snake_case on the way, three times to read one of them. That one
is the queue's ``message_retention_period``, which moto sets as an integer; here it is read directly (a period
that is not an integer takes moto's way). The time is moto's ``unix_time``, as moto's check reads it.
"""
from __future__ import annotations

from typing import Any

from moto.sqs import models
from moto.sqs.models import Message, SQSBackend

_MOTOS_CHECK = SQSBackend.is_message_valid_based_on_retention_period


def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Message) -> bool:
    """``SQSBackend.is_message_valid_based_on_retention_period``: whether the message is younger than its queue's
    retention period."""
    period = self.get_queue(queue_name).message_retention_period
    if type(period) is not int:
        return _MOTOS_CHECK(self, queue_name, message)
    return period + message.sent_timestamp / 1000 > models.unix_time()


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(SQSBackend, "is_message_valid_based_on_retention_period", is_message_valid_based_on_retention_period)]
