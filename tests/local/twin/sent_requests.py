"""The requests botocore prepares in a conversation with moto, for tests that hand them to the twin's speed parts
and to moto's own code side by side."""
from __future__ import annotations

from typing import Callable

import boto3
from botocore.awsrequest import AWSPreparedRequest
from moto import mock_aws
from twin_stacks import REGION


def sent_requests(conversation: Callable[[boto3.Session], None]) -> list[AWSPreparedRequest]:
    """Each request botocore sends for ``conversation(session)``, answered by moto (a fresh ``mock_aws``)."""
    sent: list[AWSPreparedRequest] = []
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        session.events.register("before-send", lambda request, **_: sent.append(request))
        conversation(session)
    return sent
