"""Definition checks in the spirit of AWS ValidateStateMachineDefinition: every problem, each with its state.

Checks are data (allowed fields per state type and query language) plus one small checker per state type,
found through ``_CHECKERS``. Paths, intrinsic functions and JSONata expressions are checked by the very
compilers the runtime uses, so what validates is what runs.
"""
from __future__ import annotations

from typing import Any, Callable

from .intrinsics import IntrinsicSyntaxError, compile_intrinsic, is_intrinsic
from .jsonata import JsonataSyntaxError, compile_expression, is_expression
from .jsonpath import JsonPath, PathSyntaxError
from .resources import UnsupportedResource, integration_for
from .states.choice_rules import comparison_operators, type_test_operators
from .timestamps import parse_timestamp

_COMMON = {"Type", "Comment", "QueryLanguage"}
_FLOW = {"Next", "End"}
_ERRORS = {"Retry", "Catch"}
_ASSIGN = {"Assign"}
_JSONPATH_IO = {"InputPath", "OutputPath"}
_JSONPATH_RESULT = {"Parameters", "ResultSelector", "ResultPath"}
_MAP_COMMON = {"ItemProcessor", "Iterator", "ItemReader", "ItemBatcher", "ResultWriter", "Label", "ItemSelector"}
_FIELDS = {
    ("Pass", "JSONPath"): _FLOW | _JSONPATH_IO | _ASSIGN | {"Parameters", "Result", "ResultPath"},
    ("Pass", "JSONata"): _FLOW | _ASSIGN | {"Output"},
    ("Task", "JSONPath"): _FLOW | _ERRORS | _JSONPATH_IO | _JSONPATH_RESULT | _ASSIGN | {
        "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath",
        "Credentials"},
    ("Task", "JSONata"): _FLOW | _ERRORS | _ASSIGN | {"Resource", "Arguments", "Output", "TimeoutSeconds",
                                                      "HeartbeatSeconds", "Credentials"},
    ("Choice", "JSONPath"): _JSONPATH_IO | _ASSIGN | {"Choices", "Default"},
    ("Choice", "JSONata"): _ASSIGN | {"Choices", "Default", "Output"},
    ("Wait", "JSONPath"): _FLOW | _JSONPATH_IO | _ASSIGN | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"},
    ("Wait", "JSONata"): _FLOW | _ASSIGN | {"Seconds", "Timestamp", "Output"},
    ("Succeed", "JSONPath"): _JSONPATH_IO,
    ("Succeed", "JSONata"): {"Output"},
    ("Fail", "JSONPath"): {"Error", "ErrorPath", "Cause", "CausePath"},
    ("Fail", "JSONata"): {"Error", "Cause"},
    ("Parallel", "JSONPath"): _FLOW | _ERRORS | _JSONPATH_IO | _JSONPATH_RESULT | _ASSIGN | {"Branches"},
    ("Parallel", "JSONata"): _FLOW | _ERRORS | _ASSIGN | {"Branches", "Arguments", "Output"},
    ("Map", "JSONPath"): _FLOW | _ERRORS | _JSONPATH_IO | _JSONPATH_RESULT | _ASSIGN | _MAP_COMMON | {
        "ItemsPath", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath"},
    ("Map", "JSONata"): _FLOW | _ERRORS | _ASSIGN | _MAP_COMMON | {
        "Items", "Output", "MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount"},
}
_TERMINAL = {"Choice", "Succeed", "Fail"}
_TOP_FIELDS = {"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"}
_RETRY_FIELDS = {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                 "JitterStrategy", "Comment"}
_CATCH_FIELDS = {"ErrorEquals", "Next", "ResultPath", "Assign", "Output", "Comment"}
_LANGUAGES = ("JSONPath", "JSONata")
_NO_READER = lambda path: None  # noqa: E731 - intrinsics are only parsed here


def validate_definition(definition: Any) -> list[str]:
    """Every problem in ``definition`` as ``"State 'X': ..."`` (or ``"Definition: ..."``); [] when valid.

    >>> validate_definition({"StartAt": "A", "States": {"A": {"Type": "Pass"}}})
    ["State 'A': must have either 'Next' or 'End': true"]
    """
    problems: list[str] = []
    if not isinstance(definition, dict):
        return ["Definition: must be a JSON object"]
    language = definition.get("QueryLanguage", "JSONPath")
    if language not in _LANGUAGES:
        problems.append(f"Definition: QueryLanguage must be JSONPath or JSONata, not {language!r}")
        language = "JSONPath"
    for key in definition:
        if key not in _TOP_FIELDS:
            problems.append(f"Definition: field '{key}' is not supported at the top level")
    timeout = definition.get("TimeoutSeconds")
    if timeout is not None and not _positive_int(timeout):
        problems.append("Definition: TimeoutSeconds must be a positive integer")
    _check_graph(definition, language, "Definition", problems, set())
    return problems


def _check_graph(block: dict, language: str, where: str, problems: list[str], names: set[str]) -> None:
    states = block.get("States")
    if not isinstance(states, dict) or not states:
        problems.append(f"{where}: 'States' must be a non-empty object")
        return
    start = block.get("StartAt")
    if start not in states:
        problems.append(f"{where}: StartAt {start!r} does not name a state in 'States'")
    for name, spec in states.items():
        label = f"State '{name}'"
        if name in names:
            problems.append(f"{label}: the name is used more than once (state names must be unique across branches)")
        names.add(name)
        if len(name) > 80:
            problems.append(f"{label}: the name is longer than 80 characters")
        if not isinstance(spec, dict):
            problems.append(f"{label}: must be a JSON object")
            continue
        _check_state(name, spec, language, states, problems, names)
    _check_reachable(start, states, problems)


def _check_state(name, spec, language, states, problems, names):
    label = f"State '{name}'"
    kind = spec.get("Type")
    state_language = spec.get("QueryLanguage", language)
    if state_language not in _LANGUAGES:
        problems.append(f"{label}: QueryLanguage must be JSONPath or JSONata, not {state_language!r}")
        return
    if language == "JSONata" and state_language == "JSONPath":
        problems.append(f"{label}: cannot use JSONPath inside a JSONata state machine")
    allowed = _FIELDS.get((kind, state_language))
    if allowed is None:
        problems.append(f"{label}: Type must be one of Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map "
                        f"(got {kind!r})")
        return
    for key in spec:
        if key not in allowed and key not in _COMMON:
            problems.append(f"{label}: field '{key}' is not supported by a {kind} state in {state_language}")
    say = lambda message: problems.append(f"{label}: {message}")  # noqa: E731
    if kind not in _TERMINAL:
        if ("Next" in spec) == bool(spec.get("End")):
            say("must have either 'Next' or 'End': true")
    _check_target(spec.get("Next"), states, say, "Next")
    if state_language == "JSONPath":
        _check_jsonpath_fields(spec, say)
    else:
        _check_jsonata_fields(spec, say)
    if "Assign" in spec:
        _check_template(spec["Assign"], state_language, say, "Assign")
    _check_errors(spec, states, state_language, say)
    _CHECKERS[kind](spec, states, state_language, say, problems, names)


def _check_target(target, states, say, field):
    if target is not None and target not in states:
        say(f"{field} {target!r} does not name a state")


def _check_path(value, say, field, reference=False):
    if value is None and field in ("InputPath", "OutputPath", "ResultPath"):
        return None
    try:
        path = JsonPath(value)
    except PathSyntaxError as exc:
        say(f"{field}: {exc}")
        return None
    if reference and not path.definite:
        say(f"{field} must be a reference path (names and indexes only), got {value!r}")
    return path


def _check_jsonpath_fields(spec, say):
    for field in ("InputPath", "OutputPath", "ItemsPath"):
        if field in spec:
            _check_path(spec[field], say, field)
    if "ResultPath" in spec:
        _check_path(spec["ResultPath"], say, "ResultPath", reference=True)
    for field in ("Parameters", "ResultSelector", "ItemSelector"):
        if field in spec:
            _check_template(spec[field], "JSONPath", say, field)


def _check_jsonata_fields(spec, say):
    for field in ("Arguments", "Output", "Items", "ItemSelector"):
        if field in spec:
            _check_template(spec[field], "JSONata", say, field)


def _check_template(template, language, say, field):
    """Check every ``.$`` path/intrinsic (JSONPath) or every ``{% %}`` expression (JSONata) in a template."""
    if language == "JSONata":
        _walk_jsonata(template, say, field)
        return
    if isinstance(template, dict):
        for key, value in template.items():
            if key.endswith(".$"):
                _check_dynamic(value, say, f"{field}.{key}", key)
            else:
                _check_template(value, language, say, f"{field}.{key}")
    elif isinstance(template, list):
        for index, item in enumerate(template):
            _check_template(item, language, say, f"{field}[{index}]")


def _check_dynamic(value, say, field, key):
    """A ``.$`` field, ErrorPath or CausePath: a path or an intrinsic call; refused in AWS's words otherwise."""
    refusal = f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"
    if not isinstance(value, str):
        say(f"{field}: {refusal}")
    elif is_intrinsic(value):
        try:
            compile_intrinsic(value, _NO_READER)
        except IntrinsicSyntaxError as exc:
            say(f"{field}: {refusal} ({exc})")
    else:
        _check_path(value, say, field)


def _walk_jsonata(value, say, field):
    if is_expression(value):
        try:
            compile_expression(value, field)
        except JsonataSyntaxError as exc:
            say(str(exc))
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk_jsonata(item, say, f"{field}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk_jsonata(item, say, f"{field}[{index}]")


def _check_errors(spec, states, language, say):
    for where, retrier in _rules(spec, "Retry", _RETRY_FIELDS, say):
        for field, check, rule in (("IntervalSeconds", _positive_int, "a positive integer"),
                                   ("MaxDelaySeconds", _positive_int, "a positive integer"),
                                   ("MaxAttempts", _non_negative_int, "a non-negative integer"),
                                   ("BackoffRate", lambda v: _number(v) and v >= 1.0, "a number >= 1.0"),
                                   ("JitterStrategy", lambda v: v in ("FULL", "NONE"), "FULL or NONE")):
            if field in retrier and not check(retrier[field]):
                say(f"{where}: {field} must be {rule}")
    for where, catcher in _rules(spec, "Catch", _CATCH_FIELDS, say):
        if "Next" not in catcher:
            say(f"{where}: 'Next' is required")
        _check_target(catcher.get("Next"), states, say, f"{where}.Next")
        if "ResultPath" in catcher:
            if language == "JSONata":
                say(f"{where}: ResultPath is not supported in JSONata; use Output")
            else:
                _check_path(catcher["ResultPath"], say, f"{where}.ResultPath", reference=True)


def _rules(spec, field, allowed, say):
    """Each retrier or catcher with its location, after the checks both share (ErrorEquals, known fields)."""
    rules = spec.get(field, ())
    for index, rule in enumerate(rules):
        where = f"{field}[{index}]"
        _check_error_equals(rule, say, where, last=index == len(rules) - 1)
        for key in rule:
            if key not in allowed:
                say(f"{where}: field '{key}' is not supported")
        yield where, rule


def _check_error_equals(rule, say, where, last):
    names = rule.get("ErrorEquals")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        say(f"{where}: ErrorEquals must be a non-empty list of error names")
        return
    if "States.ALL" in names and (len(names) > 1 or not last):
        say(f"{where}: States.ALL must appear alone in the last retrier or catcher")


def _check_task(spec, states, language, say, problems, names):
    if "Resource" not in spec:
        say("'Resource' is required")
    else:
        try:
            integration_for(spec["Resource"])
        except UnsupportedResource as exc:
            say(str(exc))
    for field in ("TimeoutSeconds", "HeartbeatSeconds"):
        if field in spec and field + "Path" in spec:
            say(f"only one of {field} and {field}Path may be set")
        value = spec.get(field)
        if value is not None and not _positive_int(value) and not is_expression(value):
            say(f"{field} must be a positive integer")
        if field + "Path" in spec:
            _check_path(spec[field + "Path"], say, field + "Path", reference=True)
    timeout, heartbeat = spec.get("TimeoutSeconds"), spec.get("HeartbeatSeconds")
    if _positive_int(timeout) and _positive_int(heartbeat) and heartbeat >= timeout:
        say("HeartbeatSeconds must be smaller than TimeoutSeconds")


def _check_choice(spec, states, language, say, problems, names):
    choices = spec.get("Choices")
    if not isinstance(choices, list) or not choices:
        say("'Choices' must be a non-empty list")
        return
    for index, rule in enumerate(choices):
        where = f"Choices[{index}]"
        if not isinstance(rule, dict):
            say(f"{where}: must be an object")
            continue
        if "Next" not in rule:
            say(f"{where}: 'Next' is required in a top-level choice rule")
        _check_target(rule.get("Next"), states, say, f"{where}.Next")
        if language == "JSONata":
            if "Condition" not in rule:
                say(f"{where}: 'Condition' is required in JSONata")
            else:
                _walk_jsonata(rule["Condition"], say, f"{where}.Condition")
            for field in ("Output", "Assign"):
                if field in rule:
                    _walk_jsonata(rule[field], say, f"{where}.{field}")
        else:
            _check_rule(rule, say, where, top=True)
    _check_target(spec.get("Default"), states, say, "Default")


_COMPARISONS = set(comparison_operators())
_TYPE_TESTS = set(type_test_operators())


def _check_rule(rule, say, where, top=False):
    operators = [key for key in rule if key not in ("Next", "Comment", "Assign", "Output", "Variable")]
    if len(operators) != 1:
        say(f"{where}: a choice rule needs exactly one operator (And, Or, Not, or a comparison), found "
            f"{operators or 'none'}")
        return
    operator = operators[0]
    if not top and "Next" in rule:
        say(f"{where}: 'Next' is only allowed in a top-level choice rule")
    if operator in ("And", "Or"):
        if not isinstance(rule[operator], list) or not rule[operator]:
            say(f"{where}.{operator}: must be a non-empty list of rules")
            return
        for index, inner in enumerate(rule[operator]):
            _check_rule(inner, say, f"{where}.{operator}[{index}]")
        return
    if operator == "Not":
        _check_rule(rule["Not"], say, f"{where}.Not")
        return
    if operator not in _COMPARISONS and operator not in _TYPE_TESTS:
        import difflib  # only for this hint: start-up does not pay for it
        close = difflib.get_close_matches(operator, sorted(_COMPARISONS | _TYPE_TESTS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        say(f"{where}: unknown comparison operator '{operator}'{hint}")
        return
    if "Variable" not in rule:
        say(f"{where}: 'Variable' is required")
    else:
        _check_path(rule["Variable"], say, f"{where}.Variable")
    value = rule[operator]
    if operator in _TYPE_TESTS and not isinstance(value, bool):
        say(f"{where}.{operator}: must be true or false")
    elif operator.endswith("Path") and operator != "StringMatches":
        _check_path(value, say, f"{where}.{operator}")
    elif operator.startswith("Timestamp") and parse_timestamp(value) is None:
        say(f"{where}.{operator}: {value!r} is not an RFC 3339 timestamp")
    elif operator.startswith(("String",)) and not isinstance(value, str):
        say(f"{where}.{operator}: must be a string")
    elif operator.startswith("Numeric") and not _number(value):
        say(f"{where}.{operator}: must be a number")
    elif operator.startswith("Boolean") and not isinstance(value, bool):
        say(f"{where}.{operator}: must be true or false")


def _check_wait(spec, states, language, say, problems, names):
    kinds = [k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in spec]
    if len(kinds) != 1:
        say(f"exactly one of Seconds, SecondsPath, Timestamp, TimestampPath is required (found {kinds or 'none'})")
        return
    kind, value = kinds[0], spec[kinds[0]]
    if language == "JSONata" and is_expression(value):
        _walk_jsonata(value, say, kind)
    elif kind == "Seconds" and not _non_negative_int(value):
        say("Seconds must be a non-negative integer")
    elif kind == "Timestamp" and parse_timestamp(value) is None:
        say(f"Timestamp {value!r} is not an RFC 3339 timestamp")
    elif kind.endswith("Path"):
        _check_path(value, say, kind, reference=True)


def _check_fail(spec, states, language, say, problems, names):
    for field in ("Error", "Cause"):
        if field in spec and field + "Path" in spec:
            say(f"only one of {field} and {field}Path may be set")
        path = spec.get(field + "Path")
        if path is not None:
            _check_dynamic(path, say, field + "Path", field + "Path")


def _check_parallel(spec, states, language, say, problems, names):
    branches = spec.get("Branches")
    if not isinstance(branches, list) or not branches:
        say("'Branches' must be a non-empty list")
        return
    for index, branch in enumerate(branches):
        _check_branch(branch, language, f"Branches[{index}]", problems, names, say)


def _check_map(spec, states, language, say, problems, names):
    processor = spec.get("ItemProcessor", spec.get("Iterator"))
    if "ItemProcessor" in spec and "Iterator" in spec:
        say("only one of ItemProcessor and Iterator may be set")
    if "ItemSelector" in spec and "Parameters" in spec:
        say("only one of ItemSelector and Parameters may be set")
    if processor is None:
        say("'ItemProcessor' is required")
        return
    mode = (processor.get("ProcessorConfig") or {}).get("Mode", "INLINE") if isinstance(processor, dict) else None
    if mode not in ("INLINE", "DISTRIBUTED"):
        say(f"ItemProcessor.ProcessorConfig.Mode must be INLINE or DISTRIBUTED, not {mode!r}")
    if mode == "INLINE":
        for field in ("ItemReader", "ItemBatcher", "ResultWriter"):
            if field in spec:
                say(f"{field} is only supported in DISTRIBUTED mode")
    concurrency = spec.get("MaxConcurrency")
    if concurrency is not None and not _non_negative_int(concurrency) and not is_expression(concurrency):
        say("MaxConcurrency must be a non-negative integer")
    percent = spec.get("ToleratedFailurePercentage")
    if percent is not None and not is_expression(percent) and not (_number(percent) and 0 <= percent <= 100):
        say("ToleratedFailurePercentage must be a number between 0 and 100")
    count = spec.get("ToleratedFailureCount")
    if count is not None and not is_expression(count) and not _non_negative_int(count):
        say("ToleratedFailureCount must be a non-negative integer")
    reader = spec.get("ItemReader")
    if reader is not None and reader.get("Resource") not in ("arn:aws:states:::s3:getObject",
                                                              "arn:aws:states:::s3:listObjectsV2"):
        say("ItemReader.Resource must be arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2")
    if "ResultWriter" in spec:
        say("ResultWriter is not supported by the local runtime")
    _check_branch(processor, language, "ItemProcessor", problems, names, say)


def _check_branch(branch, language, where, problems, names, say):
    if not isinstance(branch, dict):
        say(f"{where} must be an object with StartAt and States")
        return
    _check_graph(branch, branch.get("QueryLanguage", language), where, problems, names)


def _check_reachable(start, states, problems):
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in states or not isinstance(states[name], dict):
            continue
        seen.add(name)
        spec = states[name]
        todo.extend(target for target in _targets(spec) if isinstance(target, str))
    for name in states:
        if name not in seen:
            problems.append(f"State '{name}': is not reachable from StartAt")


def _targets(spec):
    yield spec.get("Next")
    yield spec.get("Default")
    for rule in spec.get("Choices", ()) if isinstance(spec.get("Choices"), list) else ():
        if isinstance(rule, dict):
            yield rule.get("Next")
    for catcher in spec.get("Catch", ()) if isinstance(spec.get("Catch"), list) else ():
        if isinstance(catcher, dict):
            yield catcher.get("Next")


def _positive_int(value) -> bool:
    return type(value) is int and value > 0


def _non_negative_int(value) -> bool:
    return type(value) is int and value >= 0


def _number(value) -> bool:
    return type(value) in (int, float)


_CHECKERS: dict[str, Callable] = {
    "Pass": lambda *args: None, "Task": _check_task, "Choice": _check_choice, "Wait": _check_wait,
    "Succeed": lambda *args: None, "Fail": _check_fail, "Parallel": _check_parallel, "Map": _check_map,
}
