"""A Lambda-like ``context`` for in-process handlers, on the runtime's clock."""
from __future__ import annotations


class LambdaContext:
    """What AWS Lambda passes as ``context``; remaining time counts down on the (virtual) clock."""

    def __init__(self, function_name: str, request_id: str, region: str, account: str, clock,
                 timeout_seconds: float, memory_mb: int = 128):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account}:function:{function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"waveflow-local/[$LATEST]{request_id.replace('-', '')}"
        self.identity = None
        self.client_context = None
        self._clock = clock
        self._deadline = clock.now() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._clock.now()) * 1000))
