"""SNS notifications of the stack's topics, delivered to the twin's local receiver as SNS delivers to HTTPS.

moto keeps the topics and answers Publish; the twin watches each successful Publish on its session and POSTs the
notification SNS would send to an HTTPS subscriber (``Type: Notification``, ``MessageId``, ``TopicArn``,
``Subject``, ``Message``, ``Timestamp``, ``MessageAttributes``, ``SignatureVersion`` 2, ``Signature``,
``SigningCertURL``, ``UnsubscribeURL``), signed as SNS signs it: SHA256withRSA over the documented string to sign
(each of Message, MessageId, Subject when present, Timestamp, TopicArn, Type as ``name\\nvalue\\n``). The
receiver checks that signature as a subscriber would, so nothing reaches it unsigned and nothing leaves the machine.
Deliveries share one kept-alive HTTPS connection (``tasks.lib.keepalive``, as the tasks' poster: a notification is
written again on a new connection only when the kept one failed before the receiver can have read it, so nothing
is delivered twice): a TLS handshake per notification was most of a delivery's cost.
"""
from __future__ import annotations

import base64
import http.client
import json
from typing import Any, Callable

from tasks.lib.keepalive import KeptConnections

from ..clock import iso8601
from .certificates import LOCAL_HOST, SigningKey
from .stack import Stack
from .wire import Wiring

SIGNED_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")


def string_to_sign(notification: dict[str, Any]) -> bytes:
    """What SNS signs for a notification (fields in this order; Subject only when the message has one)."""
    return "".join(f"{name}\n{notification[name]}\n" for name in SIGNED_FIELDS if name in notification).encode()


class SnsDelivery:
    """Posts every notification published to the stack's topics to ``endpoint(topic_name)`` on the receiver.

    ``listeners`` are told of each delivered notification (after the receiver answered), on the caller's thread:
    a simulated approver reads the approval requests from there.
    """

    def __init__(self, stack: Stack, clock, port: int, tls_context, signing_key: SigningKey, cert_url: str) -> None:
        self.clock = clock
        self.port = port
        self.tls_context = tls_context
        self.signing_key = signing_key
        self.cert_url = cert_url
        self.topics = {stack.topic_arn(name): name for name in stack.topics}
        self.listeners: list[Callable[[dict], None]] = []
        self._connections = KeptConnections()

    def install(self, session, wiring: Wiring) -> None:
        wiring.watch(session, "sns", "Publish", self._published)

    def _published(self, params: dict, parsed: dict) -> None:
        topic = self.topics.get(params.get("TopicArn", ""))
        if topic is None:
            return
        notification = {
            "Type": "Notification",
            "MessageId": parsed["MessageId"],
            "TopicArn": params["TopicArn"],
            "Message": params["Message"],
            "Timestamp": iso8601(self.clock.now()),
            "SignatureVersion": "2",
            "SigningCertURL": self.cert_url,
            "UnsubscribeURL": f"https://{LOCAL_HOST}:{self.port}/sns/unsubscribe?TopicArn={params['TopicArn']}",
        }
        if params.get("Subject"):
            notification["Subject"] = params["Subject"]
        attributes = params.get("MessageAttributes") or {}
        if attributes:
            notification["MessageAttributes"] = {name: {"Type": value["DataType"], "Value": value.get("StringValue")}
                                                 for name, value in attributes.items()}
        notification["Signature"] = base64.b64encode(self.signing_key.sign(string_to_sign(notification))).decode()
        self._post(topic, notification)
        for listener in self.listeners:
            listener(notification)

    def _post(self, topic: str, notification: dict) -> None:
        body = json.dumps(notification).encode()
        headers = {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification",
                   "x-amz-sns-message-id": notification["MessageId"], "x-amz-sns-topic-arn": notification["TopicArn"]}
        self._connections.exchange(self.port, self._connect, "POST", f"/sns/{topic}", body, headers)

    def _connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(LOCAL_HOST, self.port, timeout=5, context=self.tls_context)

    def close(self) -> None:
        """Close the kept connection to the receiver."""
        self._connections.close()
