"""Step Functions Local's mocked test cases (``MockConfigFile.json``), read as its users already write them.

The file (developer guide, "Configuration file for mocked service integrations")::

    {"StateMachines": {"LambdaSQSIntegration": {"TestCases": {"HappyPath": {"LambdaState": "MockedLambdaSuccess"}}}},
     "MockedResponses": {"MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {...}}},
                                                 "1-2": {"Throw": {"Error": "Lambda.TimeoutException",
                                                                   "Cause": "Lambda timed out."}}}}}

A mocked Task state never calls its resource: invocation N of that state in the execution (retries included,
and counting on through loops and Map iterations, as Step Functions Local counts) gets entry N, a ``Return``
becoming the task's result and a ``Throw`` its error, so Retry and Catch see it as they would the real one. A
``.waitForTaskToken`` task gets its result at once. Past the last entry the execution fails with States.Runtime,
as Step Functions Local fails it. States a test case does not name run as they otherwise would.

The whole file is checked before anything runs; every problem names its key (``MockConfigError``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RUNTIME, StatesError
from .walk import every_state

_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
CONSECUTIVE = "Mock responses must be consecutively numbered"


class MockConfigError(ValueError):
    """Raised for a mock configuration file (or a test case in it) that cannot be used; lists every problem."""

    def __init__(self, source: str, problems: list[str]):
        super().__init__("\n".join(f"{source}: {problem}" for problem in problems))
        self.source = source
        self.problems = problems


@dataclass(frozen=True)
class MockedResponse:
    """One named entry of ``MockedResponses``: ``outcomes[n]`` answers invocation ``n``."""

    name: str
    outcomes: tuple  # ("Return", value) | ("Throw", error, cause)


@dataclass(frozen=True)
class TestCase:
    """One test case of one state machine: which mocked response answers each state it names."""

    __test__ = False  # not a pytest class, whatever pytest's name rules say

    state_machine: str
    name: str
    states: dict = field(default_factory=dict)  # state name -> MockedResponse

    def check_definition(self, definition: dict, source: str) -> None:
        """Refuse a test case naming a state the definition does not have as a Task (nested ones count)."""
        tasks, others = _states(definition)
        problems = []
        for state in self.states:
            where = f"StateMachines.{self.state_machine}.TestCases.{self.name}.{state}"
            if state in others:
                problems.append(f"{where}: state '{state}' is a {others[state]} state; only Task states can be "
                                f"mocked")
            elif state not in tasks:
                problems.append(f"{where}: the definition has no state named '{state}'"
                                + _did_you_mean(state, tasks))
        if problems:
            raise MockConfigError(source, problems)

    def session(self) -> "MockSession":
        return MockSession(self)


class MockSession:
    """The mocks of one execution: one invocation counter per state, shared by its Map iterations and loops."""

    __slots__ = ("case", "counts")

    def __init__(self, case: TestCase):
        self.case = case
        self.counts: dict[str, int] = {}

    def __contains__(self, state_name: str) -> bool:
        return state_name in self.case.states

    def respond(self, state_name: str):
        """The mocked result of this invocation of ``state_name``; raises StatesError for a ``Throw``."""
        response = self.case.states[state_name]
        index = self.counts.get(state_name, 0)
        self.counts[state_name] = index + 1
        if index >= len(response.outcomes):
            defined = f"entries 0-{len(response.outcomes) - 1}" if response.outcomes else "no entries"
            raise StatesError(RUNTIME, f"No mocked response for invocation {index} of state '{state_name}': "
                                       f"mocked response '{response.name}' (test case '{self.case.name}') has "
                                       f"{defined}")
        outcome = response.outcomes[index]
        if outcome[0] == "Throw":
            raise StatesError(outcome[1], outcome[2])
        return json.loads(json.dumps(outcome[1]))  # each invocation gets its own copy


class MockConfig:
    """A parsed, checked mock configuration file."""

    def __init__(self, state_machines: dict, source: str):
        self.state_machines = state_machines  # machine -> case -> TestCase
        self.source = source

    @classmethod
    def load(cls, path: str | Path) -> "MockConfig":
        """Read and check ``path``; raises MockConfigError naming the file and every bad key."""
        path = Path(path)
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise MockConfigError(str(path), [f"cannot read the mock configuration: {exc.strerror}"]) from None
        except UnicodeDecodeError as exc:
            raise MockConfigError(str(path), [f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                                              f"{exc.start})"]) from None
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise MockConfigError(str(path), [f"not JSON: {exc}"]) from None
        return cls.parse(document, str(path))

    @classmethod
    def parse(cls, document, source: str = "<mock config>") -> "MockConfig":
        problems: list[str] = []
        if not isinstance(document, dict):
            raise MockConfigError(source, ["the mock configuration must be a JSON object with StateMachines and "
                                           "MockedResponses"])
        for key in document:
            if key not in ("StateMachines", "MockedResponses"):
                problems.append(f"{key}: unknown top-level key (expected StateMachines and MockedResponses)")
        responses = _responses(_object(document, "MockedResponses", "MockedResponses", problems), problems)
        machines = {}
        for machine, spec in _object(document, "StateMachines", "StateMachines", problems).items():
            machines[machine] = _test_cases(machine, spec, responses, problems)
        if problems:
            raise MockConfigError(source, problems)
        return cls(machines, source)

    def test_case(self, state_machine: str, case: str) -> TestCase:
        """The test case ``case`` of ``state_machine``; raises MockConfigError naming what exists."""
        cases = self.state_machines.get(state_machine)
        if cases is None:
            known = ", ".join(sorted(self.state_machines)) or "none"
            raise MockConfigError(self.source, [f"StateMachines: no state machine named '{state_machine}' "
                                                f"(the file has: {known}); choose one with --state-machine-name"])
        if case not in cases:
            known = ", ".join(sorted(cases)) or "none"
            raise MockConfigError(self.source, [f"StateMachines.{state_machine}.TestCases: no test case named "
                                                f"'{case}' (it has: {known})"])
        return cases[case]


def _object(parent: dict, key: str, where: str, problems: list[str]) -> dict:
    value = parent.get(key)
    if value is None:
        problems.append(f"{where}: missing (the file needs StateMachines and MockedResponses)")
        return {}
    if not isinstance(value, dict):
        problems.append(f"{where}: must be an object, not {_kind(value)}")
        return {}
    return value


def _test_cases(machine: str, spec, responses: dict, problems: list[str]) -> dict:
    where = f"StateMachines.{machine}"
    if not isinstance(spec, dict):
        problems.append(f"{where}: must be an object holding TestCases, not {_kind(spec)}")
        return {}
    for key in spec:
        if key != "TestCases":
            problems.append(f"{where}.{key}: unknown key (a state machine holds only TestCases)")
    cases = {}
    for case, states in _object(spec, "TestCases", f"{where}.TestCases", problems).items():
        case_where = f"{where}.TestCases.{case}"
        if not isinstance(states, dict):
            problems.append(f"{case_where}: must map state names to mocked response names, not {_kind(states)}")
            continue
        mocked = {}
        for state, response in states.items():
            if not isinstance(response, str):
                problems.append(f"{case_where}.{state}: must be the name of a mocked response, not "
                                f"{_kind(response)}")
            elif response not in responses:
                problems.append(f"{case_where}.{state}: no mocked response named '{response}' in MockedResponses"
                                + _did_you_mean(response, responses))
            else:
                mocked[state] = responses[response]
        cases[case] = TestCase(machine, case, mocked)
    return cases


def _responses(spec: dict, problems: list[str]) -> dict:
    responses = {}
    for name, entries in spec.items():
        where = f"MockedResponses.{name}"
        if not isinstance(entries, dict):
            problems.append(f"{where}: must map invocation numbers (\"0\", \"1-2\") to Return or Throw, not "
                            f"{_kind(entries)}")
            continue
        ranges = []
        for key, entry in entries.items():
            match = _RANGE.match(key)
            if not match:
                problems.append(f"{where}.{key}: not an invocation number or range (\"0\", \"1-2\")")
                continue
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) is not None else start
            if end < start:
                problems.append(f"{where}.{key}: the range ends before it starts")
                continue
            outcome = _outcome(f"{where}.{key}", entry, problems)
            if outcome is not None:
                ranges.append((start, end, key, outcome))
        outcomes = []
        for start, end, key, outcome in sorted(ranges):
            if start != len(outcomes):
                problems.append(f"{where}.{key}: {CONSECUTIVE}: expected an entry starting at {len(outcomes)}, "
                                f"found one starting at {start}")
                break
            outcomes.extend([outcome] * (end - start + 1))
        responses[name] = MockedResponse(name, tuple(outcomes))
    return responses


def _outcome(where: str, entry, problems: list[str]):
    if not isinstance(entry, dict) or len(entry) != 1 or next(iter(entry)) not in ("Return", "Throw"):
        found = ", ".join(entry) if isinstance(entry, dict) and entry else _kind(entry)
        problems.append(f"{where}: must hold exactly one of Return or Throw (found: {found})")
        return None
    if "Return" in entry:
        return ("Return", entry["Return"])
    throw = entry["Throw"]
    if not isinstance(throw, dict):
        problems.append(f"{where}.Throw: must be an object with Error and Cause strings, not {_kind(throw)}")
        return None
    bad = [key for key in ("Error", "Cause") if not isinstance(throw.get(key), str)]
    extra = [key for key in throw if key not in ("Error", "Cause")]
    for key in bad:
        problems.append(f"{where}.Throw.{key}: must be a string" + (" (missing)" if key not in throw else ""))
    for key in extra:
        problems.append(f"{where}.Throw.{key}: unknown key (Throw holds Error and Cause)")
    return None if bad or extra else ("Throw", throw["Error"], throw["Cause"])


def _states(definition: dict) -> tuple[set, dict]:
    """Task state names, and other states' names with their types, at every level of the definition."""
    tasks: set = set()
    others: dict = {}
    for name, spec in every_state([definition]):
        if spec.get("Type") == "Task":
            tasks.add(name)
        else:
            others[name] = spec.get("Type")
    return tasks, others


def _did_you_mean(name: str, known) -> str:
    import difflib
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _kind(value) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")
