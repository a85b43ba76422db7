"""Workflow tests as ordinary Python: load a definition or a built workflow, run it on the virtual clock with
mocks or handlers, answer its task tokens, and assert on its output and history.

    harness = Harness(build=Path("build"))
    execution = harness.execute("ServerMigration", request, mock_config=MOCKS, test_case="HappyPath")
    assert execution.succeeded
    assert execution.history.states_entered()[:2] == ["ValidateInput", "PrepareSource"]

The pytest plugin (``waveflow.testing.plugin``) hands tests a fresh ``Harness`` as the ``waveflow`` fixture.
"""
from __future__ import annotations

from pathlib import Path

from ..local.mocks import MockConfig
from ..local.runtime import LocalRuntime
from ..local.wiring import wire


class History(list):
    """An execution's GetExecutionHistory events, with the questions tests ask of them."""

    def of_type(self, *types: str) -> list[dict]:
        """Events whose type is one of ``types`` (``"TaskFailed"``) or ends with it (``"Failed"``)."""
        return [e for e in self if any(e["type"] == t or e["type"].endswith(t) for t in types)]

    def states_entered(self) -> list[str]:
        """Names of the states entered, in order (states in Parallel branches and Map iterations included)."""
        return [e["stateEnteredEventDetails"]["name"] for e in self if e["type"].endswith("StateEntered")]

    def states_exited(self) -> list[str]:
        return [e["stateExitedEventDetails"]["name"] for e in self if e["type"].endswith("StateExited")]

    def errors(self) -> list[str]:
        """The error names of every failed task, Lambda call, branch or execution, in order."""
        found = []
        for event in self:
            details = next((v for k, v in event.items() if k.endswith("EventDetails")), None) or {}
            if "error" in details:
                found.append(details["error"])
        return found


class ExecutionView:
    """What a test looks at: status, output, error, cause, and the history as a ``History``."""

    def __init__(self, execution):
        self.execution = execution

    def __getattr__(self, name):
        return getattr(self.execution, name)

    @property
    def succeeded(self) -> bool:
        return self.execution.status == "SUCCEEDED"

    @property
    def history(self) -> History:
        return History(self.execution.history)


class Harness:
    """One local runtime for a test: a virtual clock, a seed, and the project's build wired in."""

    def __init__(self, build: Path | str = Path("build"), seed: int = 0, boto_session=None):
        self.build = Path(build)
        self.seed = seed
        self.boto_session = boto_session
        self.runtime: LocalRuntime | None = None
        self.tokens: dict[str, list[str]] = {}

    def load(self, target: str, handlers: dict | None = None, mock_config=None) -> str:
        """Register ``target`` (an ASL file, or a workflow of the build with its handlers and children);
        ``handlers`` override the build's. Returns the state machine's name."""
        wiring = wire(str(target), self.build)
        wiring.handlers.update(handlers or {})
        config = mock_config
        if isinstance(mock_config, (str, Path)):
            config = MockConfig.load(mock_config)
        elif isinstance(mock_config, dict):
            config = MockConfig.parse(mock_config)
        if self.runtime is None:
            self.runtime = LocalRuntime(wiring.handlers, seed=self.seed, boto_session=self.boto_session,
                                        mock_config=config)
            self.runtime.token_listeners.append(self._token_issued)
        else:
            self.runtime.handlers.update(wiring.handlers)
            self.runtime.mock_config = config or self.runtime.mock_config
        self.runtime.register_state_machine(wiring.name, wiring.definition)
        for child, text in wiring.machines.items():
            self.runtime.register_state_machine(child, text)
        return wiring.name

    def start(self, target: str, input=None, name: str | None = None, test_case: str | None = None,
              handlers: dict | None = None, mock_config=None) -> ExecutionView:
        """Start an execution (of test case ``test_case`` of ``mock_config``, if given) without running it."""
        machine = self.load(target, handlers, mock_config)
        reference = f"{machine}#{test_case}" if test_case else machine
        return ExecutionView(self.runtime.start_execution(reference, input, name=name))

    def execute(self, target: str, input=None, **options) -> ExecutionView:
        """Start and run until nothing is left to do (a task token nobody answers leaves it RUNNING)."""
        execution = self.start(target, input, **options)
        self.run()
        return execution

    def run(self) -> None:
        self.runtime.run()

    def run_for(self, seconds: float) -> None:
        self.runtime.run_for(seconds)

    def token(self, state: str) -> str:
        """The last task token ``state`` issued (an Approval waiting for its answer)."""
        issued = self.tokens.get(state)
        if not issued:
            raise AssertionError(f"state {state!r} has issued no task token (tokens so far: {sorted(self.tokens)})")
        return issued[-1]

    def send_task_success(self, state: str, output) -> None:
        self.runtime.send_task_success(self.token(state), output)

    def send_task_failure(self, state: str, error: str | None = None, cause: str | None = None) -> None:
        self.runtime.send_task_failure(self.token(state), error, cause)

    def send_task_heartbeat(self, state: str) -> None:
        self.runtime.send_task_heartbeat(self.token(state))

    def _token_issued(self, token: str, attempt) -> None:
        self.tokens.setdefault(attempt.state.name, []).append(token)
