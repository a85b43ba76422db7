"""The shipped ServerMigration, compiled, run in the local interpreter with stand-in handlers: what AWS would do
with the ASL the build writes (the interpreter runs the build output, never the DSL objects)."""
import json
from pathlib import Path

import pytest

from waveflow.compile import build
from waveflow.local.runtime import LocalRuntime, run_definition

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def migration(tmp_path_factory) -> dict:
    files = build(REPO, tmp_path_factory.mktemp("build"))
    return json.loads(files["ServerMigration.asl.json"])


class Estate:
    """Stand-in handlers: each stage adds its key; replication becomes ready after ``ready_after`` polls; the wave's
    cutover gate finds its wave already approved and answers its own token."""

    def __init__(self, ready_after: int = 2, fail: str | None = None):
        self.ready_after = ready_after
        self.fail = fail
        self.calls: list[str] = []
        self.polls = 0
        self.verifications = 0  # every instance is "initializing" at its first check, ok at its second
        self.runtime: LocalRuntime | None = None

    def handlers(self) -> dict:
        names = ["ValidateInput", "PrepareSource", "TriggerMigration", "PollStatus", "LaunchStartTest",
                 "LaunchPollLaunch", "LaunchMarkReadyForCutover", "LaunchStartCutover", "VerifyMigration",
                 "FinalizeCutover", "Rollback", "Callback"]
        return {**{name: self._stage(name) for name in names}, "WaveGateAwaitCutover": self._gate}

    def run(self, definition: dict, request: dict, handlers: dict | None = None):
        self.runtime = LocalRuntime(handlers or self.handlers())
        self.runtime.register_state_machine("ServerMigration", definition)
        execution = self.runtime.start_execution("ServerMigration", request, name=request["migrationId"])
        self.runtime.run()
        return execution

    def _gate(self, event, context):
        self.calls.append("WaveGateAwaitCutover")
        self.runtime.send_task_success(event["taskToken"], {"decision": "APPROVED"})
        return {"decision": "APPROVED"}

    def _stage(self, name):
        def handler(event, context):
            self.calls.append(name)
            if name == self.fail:
                raise type("LaunchFailed", (Exception,), {})("launch job j-1 failed")
            if name == "PollStatus":
                self.polls += 1
                return {**event, "replication": {"ready": self.polls >= self.ready_after}}
            if name == "LaunchPollLaunch":
                return {**event, "launch": {**event.get("launch", {}), "done": True}}
            if name == "VerifyMigration":
                self.verifications += 1
                return {**event, "verification": {"pending": self.verifications % 2 == 1}}
            return {**event, name: "done"}
        return handler


REQUEST = {"migrationId": "s-0123456789abcdef0-w7", "wave": "w7", "correlationId": "c-1", "testLaunch": True}


def test_the_happy_path_tests_then_cuts_over_and_succeeds(migration):
    estate = Estate(ready_after=3)
    result = estate.run(migration, REQUEST)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert estate.calls == ["ValidateInput", "PrepareSource", "TriggerMigration", "PollStatus", "PollStatus",
                            "PollStatus", "LaunchStartTest", "LaunchPollLaunch", "VerifyMigration", "VerifyMigration",
                            "LaunchMarkReadyForCutover", "WaveGateAwaitCutover",
                            "LaunchStartCutover", "LaunchPollLaunch", "VerifyMigration",
                            "VerifyMigration", "FinalizeCutover", "Callback"]
    assert result.output["FinalizeCutover"] == "done" and result.output["waveCutover"] == {"decision": "APPROVED"}


def test_without_a_test_launch_it_goes_straight_to_cutover(migration):
    estate = Estate(ready_after=1)
    result = estate.run(migration, {**REQUEST, "testLaunch": False})
    assert result.status == "SUCCEEDED"
    assert "LaunchStartTest" not in estate.calls
    assert estate.calls[estate.calls.index("WaveGateAwaitCutover") + 1] == "LaunchStartCutover"  # still gated


def test_a_rejected_wave_rolls_the_server_back_before_its_cutover(migration):
    estate = Estate(ready_after=1)
    handlers = estate.handlers()

    def rejected(event, context):
        estate.calls.append("WaveGateAwaitCutover")
        estate.runtime.send_task_failure(event["taskToken"], "WaveCutoverRejected", "wave 7 was rejected")
    handlers["WaveGateAwaitCutover"] = rejected
    result = estate.run(migration, REQUEST, handlers)
    assert (result.status, result.error) == ("FAILED", "WaveCutoverRejected")
    assert estate.calls[-3:] == ["WaveGateAwaitCutover", "Rollback", "Callback"]


def test_a_failure_is_rolled_back_and_the_execution_ends_failed_with_the_original_error(migration):
    estate = Estate(ready_after=1, fail="LaunchStartCutover")
    result = estate.run(migration, REQUEST)
    assert result.status == "FAILED"
    assert result.error == "LaunchFailed"
    assert "launch job j-1 failed" in result.cause
    assert estate.calls[-3:] == ["LaunchStartCutover", "Rollback", "Callback"]


def test_a_check_that_says_when_to_look_again_is_believed_within_the_polls_bounds(migration):
    estate = Estate(ready_after=4)
    handlers = estate.handlers()
    hints = iter([7200, 20, 100_000])  # two hours; below the 1-minute floor; past the 4-hour cap

    def poll_status(event, context):
        estate.polls += 1
        return {**event, "replication": {"ready": estate.polls >= 4, "nextPollSeconds": next(hints, 0)}}
    handlers["PollStatus"] = poll_status
    execution = estate.run(migration, REQUEST, handlers)
    waits = [e for e in execution.history
             if e["type"] == "WaitStateEntered" and e["stateEnteredEventDetails"]["name"] == "WaitForReplicationWait"]
    started = [e["timestamp"] for e in execution.history if e["type"] == "TaskStateEntered"
               and e["stateEnteredEventDetails"]["name"] == "WaitForReplicationCheck"]
    gaps = [(b - a).total_seconds() for a, b in zip(started, started[1:])]
    assert gaps == [7200, 60, 14_400] and len(waits) == 3
    entered = [e["stateEnteredEventDetails"]["name"] for e in execution.history if e["type"].endswith("StateEntered")]
    loop = [name for name in entered if name.startswith("WaitForReplication") and name != "WaitForReplication"]
    assert len(loop) == 2 + 3 * 4 - 1  # start, done, and three transitions a pass (no wait after the last check)


def test_a_launch_poll_waits_before_its_first_look_as_the_launch_asks(migration):
    estate = Estate(ready_after=1)
    handlers = estate.handlers()
    looks = []

    def start_test(event, context):
        return {**event, "launch": {"mode": "test", "nextPollSeconds": 420}}

    def poll_launch(event, context):
        looks.append(estate.runtime.clock.now())
        return {**event, "launch": {**event["launch"], "done": len(looks) >= 2, "nextPollSeconds": 60}}
    handlers.update(LaunchStartTest=start_test, LaunchPollLaunch=poll_launch)
    execution = estate.run(migration, REQUEST, handlers)
    started = next(e["timestamp"] for e in execution.history if e["type"] == "TaskStateEntered"
                   and e["stateEnteredEventDetails"]["name"] == "StartTestLaunch").timestamp()
    assert [round(t - started) for t in looks[:2]] == [420, 480]


def test_a_rollback_that_fails_still_notifies_and_keeps_the_original_error(migration):
    estate = Estate(ready_after=1, fail="LaunchStartCutover")
    handlers = estate.handlers()

    def broken_rollback(event, context):
        estate.calls.append("Rollback")
        raise type("IllegalTransition", (Exception,), {})("record already FAILED")
    handlers["Rollback"] = broken_rollback
    result = estate.run(migration, REQUEST, handlers)
    assert (result.status, result.error) == ("FAILED", "LaunchFailed")
    assert estate.calls[-3:] == ["LaunchStartCutover", "Rollback", "Callback"]  # tried once: it is not transient


def test_replication_that_never_becomes_ready_times_out_after_3_days_and_rolls_back(migration):
    estate = Estate(ready_after=10**9)
    result = run_definition(migration, REQUEST, handlers=estate.handlers())
    assert result.status == "FAILED"
    assert result.error == "ReplicationTimeout"
    # A check that says nothing of when to look again gets the backoff schedule: 60 s growing x1.5 up to 4 h, then
    # 4 h each; the first check at or past 259,200 s of waiting gives up.
    schedule = [60]
    while schedule[-1] < 14_400:
        schedule.append(min(round(60 * 1.5 ** len(schedule)), 14_400))
    waited, checks = 0, 1
    while waited < 259_200:
        waited += schedule[min(checks, len(schedule)) - 1]
        checks += 1
    assert estate.polls == checks
    assert estate.calls[-2:] == ["Rollback", "Callback"]


def test_a_poll_with_max_polls_gives_up_after_that_many_checks(project):
    project.workflow('''
        with Workflow("Flow") as wf:
            Poll("WaitReady", check="tasks.steps.check", until=Var("$.ready") == True, interval=seconds(10),
                 timeout=hours(1), max_polls=4, timeout_error="NotReady")
    ''')
    definition = project.build()["Flow"]
    checks = []
    result = run_definition(definition, {"ready": False},
                            handlers={"StepsCheck": lambda event, ctx: checks.append(1) or event})
    assert (result.status, result.error, len(checks)) == ("FAILED", "NotReady", 4)


class Wave:
    """Stand-ins for MigrationWave's handlers: the wave's migrations finish after ``finished_after`` watches."""

    def __init__(self, answer, finished_after: int = 3, succeeded: int = 2, expected: int = 2):
        self.answer = answer  # (runtime, token) -> None: the approver, or nothing
        self.finished_after, self.succeeded, self.expected = finished_after, succeeded, expected
        self.calls: list[str] = []
        self.watches = 0
        self.runtime = LocalRuntime({"WaveGateOpenWave": self._step("WaveGateOpenWave"),
                                     "ApprovalRequestApproval": self._approval,
                                     "WaveGateOpenCutover": self._step("WaveGateOpenCutover"),
                                     "WaveGateCloseCutover": self._step("WaveGateCloseCutover"),
                                     "WaveGateWatchWave": self._watch, "WaveSummary": self._summary})

    def _step(self, name):
        def handler(event, context):
            self.calls.append(name)
            return {**event, name: "done"}
        return handler

    def _approval(self, event, context):
        self.calls.append("ApprovalRequestApproval")
        token = event["taskToken"]
        self.runtime.call_at(self.runtime.clock.now() + 3600, lambda: self.answer(self.runtime, token))
        return {"approvalRequested": True}

    def _watch(self, event, context):
        self.calls.append("WaveGateWatchWave")
        self.watches += 1
        return {**event, "progress": {"done": self.watches >= self.finished_after}}

    def _summary(self, event, context):
        self.calls.append("WaveSummary")
        return {**event, "summary": {"total": self.expected, "succeeded": self.succeeded}}

    def run(self, definition: dict):
        self.runtime.register_state_machine("MigrationWave", definition)
        wave = self.runtime.start_execution("MigrationWave", {"wave": "7", "expectedMigrations": self.expected},
                                            name="wave-7")
        self.runtime.run()
        return wave


@pytest.fixture(scope="module")
def migration_wave(tmp_path_factory) -> dict:
    return json.loads(build(REPO, tmp_path_factory.mktemp("build"))["MigrationWave.asl.json"])


def _approve(runtime, token):
    runtime.send_task_success(token, {"approved": True})


def test_a_wave_opens_asks_approval_opens_the_cutover_then_waits_for_its_migrations(migration_wave):
    wave = Wave(_approve)
    execution = wave.run(migration_wave)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert wave.calls == ["WaveGateOpenWave", "ApprovalRequestApproval", "WaveGateOpenCutover",
                          "WaveGateWatchWave", "WaveGateWatchWave", "WaveGateWatchWave", "WaveSummary"]
    assert execution.output["approval"] == {"approved": True}


@pytest.mark.parametrize("answer, error", [
    (lambda runtime, token: runtime.send_task_failure(token, "ApprovalRejected", "rejected by bob"),
     "ApprovalRejected"),
    (lambda runtime, token: None, "States.Timeout"),
])
def test_a_refused_or_unanswered_approval_closes_the_cutover_and_the_wave_still_waits_and_sums_up(
        migration_wave, answer, error):
    wave = Wave(answer, succeeded=0)
    execution = wave.run(migration_wave)
    assert wave.calls[2:4] == ["WaveGateCloseCutover", "WaveGateWatchWave"] and wave.calls[-1] == "WaveSummary"
    assert execution.output is None and (execution.status, execution.error) == ("FAILED", "WavePartiallyFailed")
    assert wave.runtime.get_execution("wave-7").history  # the close saw the approval's error:
    closed = [e for e in execution.history if e["type"] == "TaskStateEntered"
              and e["stateEnteredEventDetails"]["name"] == "CloseCutover"][0]
    assert json.loads(closed["stateEnteredEventDetails"]["input"])["approvalError"]["Error"] == error


def test_a_wave_whose_migrations_never_finish_is_summed_up_when_its_wait_runs_out(migration_wave):
    wave = Wave(_approve, finished_after=10**9)
    execution = wave.run(migration_wave)
    assert wave.calls[-1] == "WaveSummary"
    assert (execution.status, execution.error) == ("SUCCEEDED", None)  # 2 of 2 expected succeeded after all


def test_a_wave_succeeds_only_if_every_expected_server_succeeded(migration_wave):
    wave = Wave(_approve, succeeded=2, expected=3)
    wave_input_total = wave.run(migration_wave)
    assert (wave_input_total.status, wave_input_total.error) == ("FAILED", "WavePartiallyFailed")
