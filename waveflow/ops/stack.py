"""A deployed stack by name: its outputs, and the boto3 session to reach its resources."""
from __future__ import annotations

from dataclasses import dataclass

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ..deploy.errors import DeployError
from ..deploy.stack import stack_outputs


class OpsError(Exception):
    """The stack, an output, a message or an argument is not what the command needs; exit 2."""

    exit_code = 2


@dataclass
class Stack:
    name: str
    session: boto3.Session
    outputs: dict[str, str]

    def output(self, key: str) -> str:
        """The output ``key``; ``OpsError`` naming it if the stack has none."""
        if key not in self.outputs:
            raise OpsError(f"stack {self.name} has no output {key}; deploy it with `waveflow deploy` (outputs: "
                           f"{', '.join(sorted(self.outputs)) or 'none'})")
        return self.outputs[key]

    def client(self, service: str):
        return self.session.client(service)


def connect(name: str, region: str | None = None, session: boto3.Session | None = None) -> Stack:
    """The stack ``name`` in ``region`` (or the session's), with its outputs looked up from CloudFormation."""
    session = session or boto3.Session(region_name=region)
    if not session.region_name:
        raise OpsError("no AWS region: pass --region or set AWS_REGION")
    try:
        outputs = stack_outputs(session.client("cloudformation"), name)
    except DeployError as exc:
        raise OpsError(str(exc)) from exc
    except NoCredentialsError as exc:
        raise OpsError("no AWS credentials: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)") from exc
    except (ClientError, BotoCoreError) as exc:
        raise OpsError(f"could not read stack {name}: {exc}") from exc
    return Stack(name, session, outputs)
