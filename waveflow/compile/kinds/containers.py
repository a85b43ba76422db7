"""Parallel and Map: checks and ASL; their branches and processors compile as scopes of their own."""
from __future__ import annotations

from ...dsl.containers import Map, Parallel
from ...dsl.data import template
from ..asl import Compilation, data_flow, emits, head
from ..validate import Checker, checks


@checks(Parallel)
def check_parallel(state: Parallel, c: Checker) -> None:
    c.retry_level(state, state.default_retry)
    c.retries(state, [state.retry])
    for number, branch in enumerate(state.branches, start=1):
        if not branch.states:
            c.say(state, f"{state.describe()}: branch #{number} is empty; create its states inside its `with` block")
    if not state.branches:
        c.say(state, f"{state.describe()} has no branches: add them with `with {state.name.lower()}.branch():`")


@checks(Map)
def check_map(state: Map, c: Checker) -> None:
    c.retry_level(state, state.default_retry)
    c.retries(state, [state.retry])
    if not state.processor.states:
        c.say(state, f"{state.describe()} has no processor: create the states to run per item inside "
                     f"`with Map(...):`")
    c.path(state, "items_path", state.items_path)
    c.path(state, "max_concurrency_path", state.max_concurrency_path)
    c.template(state, "item_selector", state.item_selector)
    c.plain_paths(state, "item_reader", state.item_reader)
    c.plain_paths(state, "result_writer", state.result_writer)
    if state.mode not in ("INLINE", "DISTRIBUTED"):
        c.say(state, f"{state.describe()}: mode must be 'INLINE' or 'DISTRIBUTED', got {state.mode!r}")
    if state.execution_type not in ("STANDARD", "EXPRESS"):
        c.say(state, f"{state.describe()}: execution_type must be 'STANDARD' or 'EXPRESS'")
    if state.mode == "INLINE" and (state.item_reader or state.result_writer or state.label
                                   or state.tolerated_failure_count is not None
                                   or state.tolerated_failure_percentage is not None):
        c.say(state, f"{state.describe()}: item_reader, result_writer, label and tolerated failures need "
                     f"mode='DISTRIBUTED'")
    if state.items_path and state.item_reader:
        c.say(state, f"{state.describe()}: give items_path= or item_reader=, not both")
    if state.max_concurrency is not None and (not isinstance(state.max_concurrency, int) or state.max_concurrency < 0):
        c.say(state, f"{state.describe()}: max_concurrency must be a whole number >= 0 (0 = no limit)")
    pct = state.tolerated_failure_percentage
    if pct is not None and not (isinstance(pct, (int, float)) and 0 <= pct <= 100):
        c.say(state, f"{state.describe()}: tolerated_failure_percentage must be between 0 and 100, got {pct!r}")


@emits(Parallel)
def emit_parallel(state: Parallel, c: Compilation) -> dict:
    out = head(state, "Parallel", state.comment)
    out["Branches"] = [c.scope(branch, group_retry=state.default_retry) for branch in state.branches]
    data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None)
    return out


@emits(Map)
def emit_map(state: Map, c: Compilation) -> dict:
    out = head(state, "Map", state.comment)
    processor = c.scope(state.processor, group_retry=state.default_retry)
    config = {"Mode": state.mode}
    if state.mode == "DISTRIBUTED":
        config["ExecutionType"] = state.execution_type
    out["ItemProcessor"] = {"ProcessorConfig": config, **processor}
    if state.items_path is not None:
        out["ItemsPath"] = state.items_path
    if state.items is not None:
        out["Items"] = template(state.items)
    if state.item_reader is not None:
        out["ItemReader"] = template(state.item_reader)
    if state.item_selector is not None:
        out["ItemSelector"] = template(state.item_selector)
    if state.max_concurrency is not None:
        out["MaxConcurrency"] = state.max_concurrency
    if state.max_concurrency_path is not None:
        out["MaxConcurrencyPath"] = state.max_concurrency_path
    if state.tolerated_failure_percentage is not None:
        out["ToleratedFailurePercentage"] = state.tolerated_failure_percentage
    if state.tolerated_failure_count is not None:
        out["ToleratedFailureCount"] = state.tolerated_failure_count
    if state.label is not None:
        out["Label"] = state.label
    if state.result_writer is not None:
        out["ResultWriter"] = template(state.result_writer)
    data_flow(state, out, c, template(state.parameters) if state.parameters is not None else None)
    return out
