"""``waveflow test MOCK_CONFIG [--expect FILE]``: every test case of every state machine in a Step Functions Local
mock file, run and checked, for CI.

The expectations file mirrors the mock file (``StateMachines -> NAME -> TestCases -> CASE``)::

    {"StateMachines": {"LambdaSQSIntegration": {
        "Definition": "LambdaSQSIntegration.asl.json",      (optional; else --definition, build/, or beside)
        "Input": {"id": 1},                                  (optional; the input of every case)
        "TestCases": {
            "HappyPath": {"Status": "SUCCEEDED", "Output": {"MessageId": "..."}},
            "RetryPath": {"StatesEntered": ["LambdaState", "SQSState"]},
            "HybridPath": {"Input": {"id": 2}, "Status": "FAILED", "Error": "SQS.ValidationException"}}}}}

A case's keys: ``Input``, ``Status`` (default SUCCEEDED), ``Output`` (equal as JSON), ``Error``, ``Cause``,
``StatesEntered`` (the states entered, in order, nested ones included). A case without expectations passes when it
SUCCEEDED. A state machine's definition is, in order: its ``Definition`` (relative to the expectations file),
``--definition NAME=FILE``, the build's workflow of that name, or ``NAME.asl.json``/``NAME.json`` beside the
mock file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..local.mocks import MockConfig
from ..local.runtime import LocalRuntime
from ..local.wiring import read_text, wire

STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "RUNNING")
_CASE_KEYS = ("Input", "Status", "Output", "Error", "Cause", "StatesEntered")
_MACHINE_KEYS = ("Definition", "Input", "TestCases")


class SuiteError(ValueError):
    """Raised for an expectations file or a definition that cannot be used; names the file and key."""


@dataclass
class CaseResult:
    state_machine: str
    test_case: str
    expected: dict
    status: str
    output: object = None
    error: str | None = None
    cause: str | None = None
    mismatches: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches


def run_suite(mock_config: str | Path, expect: str | Path | None = None, definitions: dict | None = None,
              handler_specs=(), build: Path = Path("build"), seed: int = 0) -> list[CaseResult]:
    """Run every test case of ``mock_config``; each result says what was expected, what happened, what differs."""
    config = MockConfig.load(mock_config)
    expectations = _expectations(Path(expect)) if expect is not None else {}
    for machine in expectations:
        if machine not in config.state_machines:
            raise SuiteError(f"{expect}: StateMachines.{machine}: not in the mock configuration {mock_config}")
    results = []
    for machine, cases in sorted(config.state_machines.items()):
        spec = expectations.get(machine, {})
        target = _definition(machine, spec, Path(mock_config), Path(expect) if expect else None, definitions or {},
                             build)
        wiring = wire(target, build, handler_specs)
        for case_name in sorted(cases):
            case = spec.get("TestCases", {}).get(case_name, {})
            results.append(_run_case(config, wiring, machine, case_name, case, spec.get("Input", {}), seed))
        for case_name in spec.get("TestCases", {}):
            if case_name not in cases:
                raise SuiteError(f"{expect}: StateMachines.{machine}.TestCases.{case_name}: no such test case in "
                                 f"{mock_config}")
    return results


def _run_case(config, wiring, machine: str, case_name: str, expected: dict, default_input, seed: int) -> CaseResult:
    runtime = LocalRuntime(wiring.handlers, seed=seed, mock_config=config)
    runtime.register_state_machine(machine, wiring.definition)
    for child, text in wiring.machines.items():
        runtime.register_state_machine(child, text)
    execution = runtime.start_execution(f"{machine}#{case_name}", expected.get("Input", default_input),
                                        name=case_name)
    runtime.run()
    result = CaseResult(machine, case_name, expected, execution.status, execution.output, execution.error,
                        execution.cause)
    wanted = expected.get("Status", "SUCCEEDED")
    if execution.status != wanted:
        result.mismatches.append(f"status {execution.status}, expected {wanted}"
                                 + (f" ({execution.error}: {execution.cause})" if execution.error else ""))
    for key, got in (("Output", execution.output), ("Error", execution.error), ("Cause", execution.cause)):
        if key in expected and expected[key] != got:
            result.mismatches.append(f"{key.lower()} {json.dumps(got)}, expected {json.dumps(expected[key])}")
    if "StatesEntered" in expected:
        entered = [e["stateEnteredEventDetails"]["name"] for e in execution.history if e["type"].endswith("Entered")]
        if entered != expected["StatesEntered"]:
            result.mismatches.append(f"states entered {entered}, expected {expected['StatesEntered']}")
    return result


def _definition(machine: str, spec: dict, mock_path: Path, expect_path: Path | None, definitions: dict,
                build: Path) -> str:
    if "Definition" in spec:
        return str(expect_path.parent / spec["Definition"])
    if machine in definitions:
        return str(definitions[machine])
    manifest = build / "manifest.json"
    if manifest.is_file() and machine in json.loads(read_text(manifest, "build manifest"))["workflows"]:
        return machine
    for candidate in (mock_path.parent / f"{machine}.asl.json", mock_path.parent / f"{machine}.json"):
        if candidate.is_file():
            return str(candidate)
    raise SuiteError(f"no definition for state machine '{machine}': give it as Definition in --expect, "
                     f"--definition {machine}=FILE, build it, or put {machine}.asl.json beside {mock_path}")


def _expectations(path: Path) -> dict:
    try:
        document = json.loads(read_text(path, "--expect"))
    except ValueError as exc:
        raise SuiteError(f"{path}: not JSON ({exc})") from None
    machines = document.get("StateMachines") if isinstance(document, dict) else None
    if not isinstance(machines, dict):
        raise SuiteError(f"{path}: StateMachines: missing (an object of state machines, as in the mock file)")
    problems = []
    for machine, spec in machines.items():
        where = f"StateMachines.{machine}"
        if not isinstance(spec, dict):
            problems.append(f"{where}: must be an object")
            continue
        problems += [f"{where}.{key}: unknown key (expected {', '.join(_MACHINE_KEYS)})"
                     for key in spec if key not in _MACHINE_KEYS]
        for case, expected in (spec.get("TestCases") or {}).items():
            if not isinstance(expected, dict):
                problems.append(f"{where}.TestCases.{case}: must be an object")
                continue
            problems += [f"{where}.TestCases.{case}.{key}: unknown key (expected {', '.join(_CASE_KEYS)})"
                         for key in expected if key not in _CASE_KEYS]
            if expected.get("Status", "SUCCEEDED") not in STATUSES:
                problems.append(f"{where}.TestCases.{case}.Status: must be one of {', '.join(STATUSES)}")
    if problems:
        raise SuiteError("\n".join(f"{path}: {problem}" for problem in problems))
    return machines


def table(results: list[CaseResult]) -> str:
    """The pass/fail table, ending with a ``N passed, N failed`` line."""
    rows = [("STATE MACHINE", "TEST CASE", "RESULT", "STATUS", "DETAIL")]
    for r in results:
        rows.append((r.state_machine, r.test_case, "PASS" if r.passed else "FAIL", r.status,
                     " ".join("; ".join(r.mismatches).split())))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths)) + "  " + row[4] for row in rows]
    passed = sum(r.passed for r in results)
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return "\n".join(line.rstrip() for line in lines)

