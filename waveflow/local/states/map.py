"""Map: run the item processor once per item (INLINE or DISTRIBUTED, both in this process).

Iterations start in index order, at most MaxConcurrency at a time (0 = all). Inline iterations record their
events in the execution's history; distributed ones are child workflows in AWS, so only the Map Run events
appear (which keeps a 1,000-server wave far below the history limit). Tolerated failures apply to both (AWS
accepts and honours ToleratedFailureCount/Percentage on an inline Map too). When
the Map fails, inline iterations still running are cancelled and recorded as MapIterationAborted.
"""
from __future__ import annotations

from ..errors import EXCEED_TOLERATED_FAILURE_THRESHOLD, RUNTIME, StatesError
from ..execution import SUSPEND
from ..jsonata import compile_jsonata_template, compile_typed
from ..jsonpath import JsonPath
from ..paths import ABSENT, compile_template, required_reader
from ..retry import error_output
from .map_limits import compile_limit
from .retrying import RetryingState


class MapState(RetryingState):
    type_name = "Map"
    parameters_field = ""  # Map's Parameters is the legacy ItemSelector, applied per item

    def __init__(self, name, spec, loader):
        super().__init__(name, spec, loader)
        processor = spec.get("ItemProcessor") or spec["Iterator"]
        self.graph = loader.graph(processor)
        self.distributed = processor.get("ProcessorConfig", {}).get("Mode") == "DISTRIBUTED"
        self.jsonata = self.language == "JSONata"
        selector = spec.get("ItemSelector", spec.get("Parameters", ABSENT))
        if selector is ABSENT:
            self.selector = None
        elif self.jsonata:
            self.selector = compile_jsonata_template(selector, "ItemSelector")
        else:
            self.selector = compile_template(selector, "ItemSelector")
        self.items = self._items_reader(spec)
        self.max_concurrency = compile_limit(self, spec, "MaxConcurrency", 0)
        self.tolerated_count = compile_limit(self, spec, "ToleratedFailureCount", None)
        self.tolerated_percent = compile_limit(self, spec, "ToleratedFailurePercentage", None)
        self.reader = spec.get("ItemReader")
        self.reader_params = None
        if self.reader is not None and "Parameters" in self.reader:
            self.reader_params = compile_template(self.reader["Parameters"], "ItemReader.Parameters")
        if self.reader is not None and "Arguments" in self.reader:
            self.reader_params = compile_jsonata_template(self.reader["Arguments"], "ItemReader.Arguments")
        self.batcher = spec.get("ItemBatcher")
        self.map_run_arn_prefix = None

    def _items_reader(self, spec):
        if self.jsonata:
            if "Items" not in spec:
                return lambda run, raw, data: raw
            template = compile_typed(spec["Items"], "Items", "array")
            return lambda run, raw, data: template(self.flow.states(run, raw), run)
        read = required_reader(JsonPath(spec.get("ItemsPath", "$")))
        return lambda run, raw, data: read(data, run)

    def execute(self, run, attempt):
        raw = attempt.raw
        data = self.flow.view(run, raw)
        items = self._load_items(run, raw, data)
        if type(items) is not list:
            raise run.runtime_error(RUNTIME, f"Map state input must be an array but was: {type(items).__name__}")
        if self.batcher is not None:
            items = self._batch(run, raw, data, items)
        run.record("MapStateStarted", {"length": len(items)})
        if self.distributed:
            run.record("MapRunStarted", {"mapRunArn": self._map_run_arn(run)})
        limits = (self.max_concurrency(run, raw, data), self.tolerated_count(run, raw, data),
                  self.tolerated_percent(run, raw, data))
        _MapRun(self, run, attempt, raw, data, items, *limits).pump()
        return SUSPEND

    def _load_items(self, run, raw, data):
        if self.reader is None:
            return self.items(run, raw, data)
        from ..resources.itemreader import read_items  # here, not at the top: csv for every start otherwise
        if self.reader_params is None:
            params = {}
        elif self.jsonata:
            params = self.reader_params(self.flow.states(run, raw), run)
        else:
            params = self.reader_params(data, run)
        return read_items(run.execution.runtime, self.reader["Resource"], params, self.reader.get("ReaderConfig", {}))

    def _batch(self, run, raw, data, items):
        size = self.batcher.get("MaxItemsPerBatch") or len(items) or 1
        batch_input = self.batcher.get("BatchInput", {})
        return [{"Items": items[i:i + size], **({"BatchInput": batch_input} if batch_input else {})}
                for i in range(0, len(items), size)]

    def _map_run_arn(self, run):
        execution = run.execution
        runtime = execution.runtime
        return (f"arn:aws:states:{runtime.region}:{runtime.account}:mapRun:{execution.machine.name}/"
                f"{self.name}:{execution.name}")

    def item_input(self, run, raw, data, index, item):
        if self.selector is None:
            return item
        if self.jsonata:
            context = run.context_object()
            context["Map"] = {"Item": {"Index": index, "Value": item}}
            return self.selector({"input": raw, "context": context}, run)
        run.map_item = (index, item)
        try:
            return self.selector(data, run)
        finally:
            run.map_item = None

    def settle(self, run, attempt, result, error):
        if self.distributed:
            if error is not None:
                details = {"error": error.error}
                if error.cause is not None:
                    details["cause"] = error.cause
                run.record("MapRunFailed", details)
            else:
                run.record("MapRunSucceeded")
        run.record("MapStateFailed" if error is not None else "MapStateSucceeded")
        return super().settle(run, attempt, result, error)


class _MapRun:
    """The iterations of one Map attempt: a launcher that never recurses, however many items complete at once."""

    def __init__(self, state, run, attempt, raw, data, items, max_concurrency, tolerated_count, tolerated_percent):
        self.state, self.run, self.attempt, self.raw, self.data, self.items = state, run, attempt, raw, data, items
        self.limit = max_concurrency
        self.tolerated_count = tolerated_count
        self.tolerated_percent = tolerated_percent
        self.results = [None] * len(items)
        self.next = self.running = self.completed = self.failures = 0
        self.children: dict = {}
        self.pumping = False
        self.finished = False

    def pump(self):
        if self.pumping:
            return
        self.pumping = True
        state, run, items = self.state, self.run, self.items
        try:
            while (not self.finished and not run.cancelled and self.next < len(items)
                   and (not self.limit or self.running < self.limit)):
                index = self.next
                self.next += 1
                self.running += 1
                try:
                    item_input = state.item_input(run, self.raw, self.data, index, items[index])
                except StatesError as error:
                    self._finish(error=error)
                    return
                except Exception as exc:  # pump also runs from an iteration's callback, outside any _drive
                    self._finish(error=run.internal_error(exc))
                    return
                child = run.spawn(state.graph, record=not state.distributed)
                self.children[index] = child
                if not state.distributed:
                    run.record("MapIterationStarted", {"name": state.name, "index": index})
                child.start(item_input, self._callback(index))
        finally:
            self.pumping = False
        if not self.finished and self.completed == len(items):
            self._finish(result=self.results)

    def _callback(self, index):
        def done(output, error):
            if self.finished:
                return
            self.children.pop(index, None)
            self.running -= 1
            self.completed += 1
            inline = not self.state.distributed
            if error is not None:
                self.failures += 1
                if inline:
                    self.run.record("MapIterationFailed", {"name": self.state.name, "index": index})
                if not self._tolerated():
                    self._finish(error=self._threshold_error(error))
                    return
                self.results[index] = error_output(error)
            else:
                if inline:
                    self.run.record("MapIterationSucceeded", {"name": self.state.name, "index": index})
                self.results[index] = output
            if self.completed == len(self.items):
                self._finish(result=self.results)
            else:
                self.pump()
        return done

    def _tolerated(self) -> bool:
        if self.tolerated_count is None and self.tolerated_percent is None:
            return False
        if self.tolerated_count is not None and self.failures > self.tolerated_count:
            return False
        if self.tolerated_percent is not None and self.failures * 100.0 / len(self.items) > self.tolerated_percent:
            return False
        return True

    def _threshold_error(self, error):
        if self.tolerated_count is None and self.tolerated_percent is None and not self.state.distributed:
            return error
        return StatesError(EXCEED_TOLERATED_FAILURE_THRESHOLD,
                           "The specified tolerated failure threshold was exceeded")

    def _finish(self, result=None, error=None):
        self.finished = True
        inline = not self.state.distributed
        for index, child in self.children.items():
            child.cancel()
            if inline:
                self.run.record("MapIterationAborted", {"name": self.state.name, "index": index})
        self.children.clear()
        self.attempt.complete(result=result, error=error)
