"""Run one ASL document to completion in local-workflow-engine (LWE), as a whole process, for bench/engine.py.

Runs inside LWE's own scratch virtualenv (bench/.lwe-venv), so it imports nothing of waveflow. LWE normally
moves events over AMQP; here its StateEngine gets an in-memory event queue (the cheapest transport it could
have: each event is copied through JSON, as a message would be) and its Task dispatcher calls the same stub handler (documents.count) waveflow's runs call.
Usage: ``python lwe_driver.py DEFINITION.json INPUT_JSON``; prints ``{"status", "output", "events"}``.
"""
import collections
import heapq
import itertools
import json
import logging
import sys
import tempfile
import time

from asl_workflow_engine.state_engine import StateEngine
from documents import count


class InMemoryQueue:
    """What StateEngine needs from an EventDispatcher: publish, acknowledge, broadcast and (real-time, as LWE
    waits) timers."""

    def __init__(self):
        self.items = collections.deque()
        self.timers = []
        self.sequence = itertools.count()

    def set_timeout(self, callback, delay_ms):
        entry = [time.monotonic() + delay_ms / 1000, next(self.sequence), callback]
        heapq.heappush(self.timers, entry)
        return entry

    def clear_timeout(self, entry):
        entry[2] = None

    def drain(self, engine):
        delivered = 0
        while self.items or self.timers:
            if self.items:
                engine.notify(self.items.popleft(), delivered)
                delivered += 1
                continue
            due, _, callback = heapq.heappop(self.timers)
            time.sleep(max(0.0, due - time.monotonic()))
            if callback is not None:
                callback()

    def publish(self, item, threadsafe=False, start_execution=False):
        self.items.append(json.loads(json.dumps(item)))  # a copy, as its messaging would deliver: LWE reuses items

    def acknowledge(self, id):
        pass

    def broadcast(self, subject, item, carrier_properties=None):
        pass


def main():
    definition = json.load(open(sys.argv[1]))
    data = json.loads(sys.argv[2])
    store = tempfile.NamedTemporaryFile(suffix=".json")
    engine = StateEngine({"state_engine": {"store_url": store.name, "execution_ttl": 86400}, "task_dispatcher": {}})
    logging.disable(logging.WARNING)  # LWE logs every state at INFO
    queue = engine.event_dispatcher = InMemoryQueue()
    engine.task_dispatcher.execute_task = lambda arn, params, callback, timeout, context: callback(count(params))
    machine_arn = "arn:aws:states:local:0123456789:stateMachine:Bench"
    engine.asl_store[machine_arn] = {"definition": definition, "name": "Bench", "roleArn": "",
                                     "stateMachineArn": machine_arn, "status": "ACTIVE", "type": "STANDARD"}
    execution_arn = "arn:aws:states:local:0123456789:execution:Bench:run"
    context = {"Execution": {"Id": execution_arn, "Input": data, "Name": "run", "RoleArn": "",
                             "StartTime": "2026-01-01T00:00:00Z"},
               "State": {"EnteredTime": "2026-01-01T00:00:00Z", "Name": ""},
               "StateMachine": {"Id": machine_arn, "Name": "Bench"}}
    queue.publish({"data": data, "context": context})
    queue.drain(engine)
    execution = engine.executions.get(execution_arn) or {}
    history = engine.execution_history.get(execution_arn) or []
    print(json.dumps({"status": execution.get("status"), "output": execution.get("output"),
                      "events": len(history)}))


if __name__ == "__main__":
    main()
