"""Retry delays as the developer guide defines them: full jitter draws each wait from 0 up to the backed-off
interval (not from 1), and a Catcher's Assign sets variables the next state reads."""
import random

from waveflow.local.retry import Retrier
from waveflow.local.runtime import LocalRuntime


def test_full_jitter_draws_from_zero_to_the_backed_off_interval():
    retrier = Retrier({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 3.0, "MaxAttempts": 5,
                       "JitterStrategy": "FULL"})
    rng = random.Random(7)
    first = [retrier.delay(0, rng) for _ in range(500)]
    assert 0 <= min(first) < 0.05 and 1.95 < max(first) < 2  # the whole of [0, 2)
    assert max(retrier.delay(2, rng) for _ in range(500)) > 17  # 2 * 3 ** 2 = 18
    plain = Retrier({"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 3.0})
    assert [plain.delay(n, rng) for n in range(3)] == [2, 6, 18] and plain.max_attempts == 3


def test_a_catchers_assign_is_what_the_next_state_reads():
    definition = {"StartAt": "Boom", "States": {
        "Boom": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                 "Parameters": {"FunctionName": "broken", "Payload": {}},
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"kind": "caught", "attempts": 1},
                            "Next": "Report"}]},
        "Report": {"Type": "Pass", "Parameters": {"kind.$": "$kind", "attempts.$": "$attempts"}, "End": True}}}
    runtime = LocalRuntime()
    runtime.handlers["broken"] = lambda event, context: 1 / 0
    runtime.register_state_machine("Caught", definition)
    execution = runtime.start_execution("Caught", {"where": "cutover"})
    runtime.run()
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"kind": "caught", "attempts": 1}
