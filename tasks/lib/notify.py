"""Messages to the operators' SNS topic (``WAVEFLOW_NOTIFY_TOPIC_ARN``): approval requests and migration outcomes.

SNS refuses a Subject that is not ASCII, holds a line break or control character, or is 100 characters or
longer. Subjects are built from request fields (``appName``, ``wave``) that may hold any of those, so
:func:`subject` makes one that SNS accepts instead of letting the publish fail over a title.
"""

from __future__ import annotations

import unicodedata

from tasks.lib import aws
from tasks.lib.config import load_config

SUBJECT_MAX_CHARS = 99


def subject(text: str) -> str:
    """``text`` as an SNS Subject: accents dropped, other non-ASCII as ``?``, any run of spaces or control
    characters as one space, at most :data:`SUBJECT_MAX_CHARS` characters.

    >>> subject("waveflow: Zahlungsdienst-Ü\\n7\\tSUCCESS")
    'waveflow: Zahlungsdienst-U 7 SUCCESS'
    """
    kept = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char):
            continue
        if char.isspace() or not char.isprintable():
            kept.append(" ")
        else:
            kept.append(char if char.isascii() else "?")
    return " ".join("".join(kept).split())[:SUBJECT_MAX_CHARS].rstrip() or "waveflow"


def publish(title: str, message: str, attributes: dict[str, str]) -> str:
    """Publish ``message`` under the subject made of ``title``, with the non-empty ``attributes``; the message ID."""
    return aws.client("sns").publish(
        TopicArn=load_config().notify_topic_arn,
        Subject=subject(title),
        Message=message,
        MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items() if v},
    )["MessageId"]
