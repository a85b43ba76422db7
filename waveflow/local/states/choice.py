"""Choice: the first rule that matches picks ``Next``; otherwise ``Default``, else States.NoChoiceMatched.

The state's own Assign applies whichever rule matches (developer guide, state-choice); a matched rule's Assign
is evaluated against the same variable values and merged over it (``dataflow._merge``).
"""
from __future__ import annotations

from ..errors import NO_CHOICE_MATCHED, QUERY_EVALUATION_ERROR
from ..jsonata import compile_jsonata_template
from .base import State
from .choice_rules import compile_rule, compile_rule_assign


class _Branch:
    __slots__ = ("test", "next_name", "next", "assign", "output")

    def __init__(self, test, next_name, assign=None, output=None):
        self.test, self.next_name, self.next, self.assign, self.output = test, next_name, None, assign, output


class ChoiceState(State):
    type_name = "Choice"

    def __init__(self, name, spec, loader):
        super().__init__(name, spec, loader)
        self.jsonata = self.language == "JSONata"
        self.branches = [self._compile(rule) for rule in spec.get("Choices", [])]
        self.default_name = spec.get("Default")
        self.default = None

    def _compile(self, rule):
        if self.jsonata:
            condition = compile_jsonata_template(rule["Condition"], "Condition")
            assign = compile_jsonata_template(rule["Assign"], "Assign") if "Assign" in rule else None
            output = compile_jsonata_template(rule["Output"], "Output") if "Output" in rule else None
            return _Branch(condition, rule["Next"], assign, output)
        return _Branch(compile_rule(rule), rule["Next"], compile_rule_assign(rule))

    def link(self, states):
        for branch in self.branches:
            branch.next = states[branch.next_name]
        if self.default_name is not None:
            self.default = states[self.default_name]

    def enter(self, run, raw):
        run.enter_state(self, raw)
        if self.jsonata:
            return self._enter_jsonata(run, raw)
        data = self.flow.view(run, raw)
        for branch in self.branches:
            if branch.test(data, run):
                rule_values = None if branch.assign is None else branch.assign(data, run)
                return self._leave(run, raw, self.flow.passthrough(run, raw, data, rule_values), branch.next)
        next_state = self._default(run)
        return self._leave(run, raw, self.flow.passthrough(run, raw, data), next_state)

    def _enter_jsonata(self, run, raw):
        states = self.flow.states(run, raw)
        for branch in self.branches:
            verdict = branch.test(states, run)
            if type(verdict) is not bool:
                raise run.runtime_error(QUERY_EVALUATION_ERROR, f"The Condition of a choice rule in state "
                                        f"'{self.name}' returned {verdict!r}, not a boolean.")
            if verdict:
                output = raw if branch.output is None else branch.output(states, run)
                rule_values = None if branch.assign is None else branch.assign(states, run)
                return self._leave(run, raw, self.flow.output(run, states, output, rule_values), branch.next)
        next_state = self._default(run)
        return self._leave(run, raw, self.flow.output(run, states, raw), next_state)

    def _default(self, run):
        if self.default is None:
            raise run.runtime_error(NO_CHOICE_MATCHED, "No Matches!")
        return self.default

    def _leave(self, run, raw, output, next_state):
        run.exit_state(self, raw, output)
        return next_state, output
