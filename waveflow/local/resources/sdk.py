"""AWS SDK integrations (``aws-sdk:service:action``) and the optimized DynamoDB, SQS, SNS and EventBridge
ones, executed with boto3 against whatever endpoint the runtime's session points at (moto locally)."""
from __future__ import annotations

from datetime import datetime

from ..errors import StatesError
from .base import Integration

# Step Functions' service names -> boto3's, and the prefixes of the error names each integration reports
_BOTO_NAMES = {"sfn": "stepfunctions", "eventbridge": "events", "events": "events"}
_OPTIMIZED_PREFIX = {"dynamodb": "DynamoDB", "sqs": "SQS", "sns": "SNS", "events": "EventBridge"}
_SDK_PREFIX = {"dynamodb": "DynamoDb", "sqs": "Sqs", "sns": "Sns", "eventbridge": "EventBridge", "sfn": "Sfn",
               "s3": "S3", "ec2": "Ec2", "mgn": "Mgn", "route53": "Route53", "ssm": "Ssm", "kms": "Kms",
               "secretsmanager": "SecretsManager"}
OPTIMIZED_ACTIONS = {
    "dynamodb": {"getItem", "putItem", "updateItem", "deleteItem"},
    "sqs": {"sendMessage"},
    "sns": {"publish"},
    "events": {"putEvents"},
}


def _jsonable(value):
    """Boto3 responses carry datetimes, bytes and streams; Step Functions returns JSON."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        import base64  # here, not at the top: every start would pay for it
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "read"):
        return value.read().decode("utf-8", errors="replace")
    return value


class SdkCall(Integration):
    def __init__(self, arn, service: str, action: str, optimized: bool, pattern="request"):
        super().__init__(arn, pattern)
        self.service, self.action, self.optimized = service, action, optimized
        self.resource_type = service if optimized else "aws-sdk:" + service
        self.resource = action + (".waitForTaskToken" if pattern == "callback" else "")
        from botocore import xform_name  # botocore is imported when a definition uses an SDK task, not before
        self.method = xform_name(action)
        prefixes = _OPTIMIZED_PREFIX if optimized else _SDK_PREFIX
        self.error_prefix = prefixes.get(service, service[:1].upper() + service[1:])

    def call(self, run, params, attempt, timeout):
        from botocore.exceptions import ClientError, ParamValidationError
        client = run.execution.runtime.client(_BOTO_NAMES.get(self.service, self.service))
        method = getattr(client, self.method, None)
        if method is None:
            raise StatesError("States.Runtime", f"The API action '{self.action}' of service '{self.service}' "
                                                f"is not known to boto3.")
        try:
            return _jsonable(method(**(params or {})))
        except ClientError as exc:
            raise StatesError(self._error_name(exc.response["Error"].get("Code", "Unknown")),
                              self._cause(exc)) from None
        except ParamValidationError as exc:
            raise StatesError(f"{self.error_prefix}.ValidationException", str(exc)) from None

    def _error_name(self, code: str) -> str:
        if not self.optimized and not code.endswith("Exception"):
            code += "Exception"
        return f"{self.error_prefix}.{code}"

    def _cause(self, exc) -> str:
        error = exc.response["Error"]
        meta = exc.response.get("ResponseMetadata", {})
        return (f"{error.get('Message', '')} (Service: {self.service}, Status Code: "
                f"{meta.get('HTTPStatusCode', 400)}, Request ID: {meta.get('RequestId', '')})")
