"""moto's SQS: a queue's messages walked against one reading of the clock, its attributes' names converted once, a
received message's retention period read from its queue.

moto asks each message of a queue whether it is visible and whether it is delayed, and each question reads moto's
clock (``unix_time_millis``: a ``utcnow``, an epoch made again and a subtraction): once per message and question
for the visible messages (``Queue.messages``: every ReceiveMessage, every wait) and for each of the approximate
counts. And every message sent reads the queue's whole table of attributes (``Queue.attributes``, to see whether
the queue deduplicates by content), which holds those three counts and turns each attribute's name into snake_case
on the way. So each message sent to a queue, and each receive, cost a few clock readings per message in the queue,
in flight ones included. Here each walk reads the clock once and compares every message with that reading as
``Message.visible`` (``now > visible_at``) and ``Message.delayed`` (``now < delayed_until``) do; an attribute's
name is converted once (the conversion depends on the name alone).

For each message ReceiveMessage hands out, moto checks that it is still within its queue's retention period by
asking for the queue's attributes (``get_queue_attributes(["MessageRetentionPeriod"])``), which builds that table
three times to read one of them. That one is the queue's ``message_retention_period``, which moto sets as an
integer; here it is read directly (a period that is not an integer takes moto's way). The time is moto's
``unix_time``, as moto's check reads it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from moto.sqs import models
from moto.sqs.models import Message, Queue, SQSBackend

_MOTOS_CHECK = SQSBackend.is_message_valid_based_on_retention_period
#: moto's conversion of an attribute's name to snake_case, once per name
_SNAKE_CASE = lru_cache(maxsize=256)(models.camelcase_to_underscores)


def messages(self: Queue) -> list[Message]:
    """``Queue.messages``: the queue's visible messages that are not delayed, in the queue's order."""
    now = models.unix_time_millis()
    return [message for message in self._messages if now > message.visible_at and not now < message.delayed_until]


def approximate_number_of_messages_delayed(self: Queue) -> int:
    """``Queue.approximate_number_of_messages_delayed``: how many of the queue's messages are delayed."""
    now = models.unix_time_millis()
    return sum(1 for message in self._messages if now < message.delayed_until)


def approximate_number_of_messages_not_visible(self: Queue) -> int:
    """``Queue.approximate_number_of_messages_not_visible``: how many of the queue's messages are not visible."""
    now = models.unix_time_millis()
    return sum(1 for message in self._messages if not now > message.visible_at)


def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Message) -> bool:
    """``SQSBackend.is_message_valid_based_on_retention_period``: whether the message is younger than its queue's
    retention period."""
    period = self.get_queue(queue_name).message_retention_period
    if type(period) is not int:
        return _MOTOS_CHECK(self, queue_name, message)
    return period + message.sent_timestamp / 1000 > models.unix_time()


def replacements() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each of moto's functions this module replaces."""
    return [(Queue, "messages", property(messages)),
            (Queue, "approximate_number_of_messages_delayed", property(approximate_number_of_messages_delayed)),
            (Queue, "approximate_number_of_messages_not_visible",
             property(approximate_number_of_messages_not_visible)),
            (models, "camelcase_to_underscores", _SNAKE_CASE),
            (SQSBackend, "is_message_valid_based_on_retention_period", is_message_valid_based_on_retention_period)]
