"""Choice: the first rule that matches picks ``Next``; otherwise ``Default``, else States.NoChoiceMatched.

The state's own Assign applies whichever rule matches (developer guide, state-choice); a matched rule's Assign
is evaluated against the same variable values and merged over it (``dataflow._merge``). In JSONata a matched
rule's own Output is the state's output, in place of the state's Output.
"""
from __future__ import annotations

from ..errors import NO_CHOICE_MATCHED
from ..jsonata import compile_jsonata_template, compile_typed
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
        self.branches = [self._compile(index, rule) for index, rule in enumerate(spec.get("Choices", []))]
        self.default_name = spec.get("Default")
        self.default = None

    def _compile(self, index, rule):
        if self.jsonata:
            where = f"Choices[{index}]"
            condition = compile_typed(rule["Condition"], f"{where}/Condition", "boolean")
            assign = compile_jsonata_template(rule["Assign"], f"{where}/Assign") if "Assign" in rule else None
            output = compile_jsonata_template(rule["Output"], f"{where}/Output") if "Output" in rule else None
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
            if branch.test(states, run):
                rule_values = None if branch.assign is None else branch.assign(states, run)
                output = self.flow.output(run, states, raw, rule_values, branch.output)
                return self._leave(run, raw, output, branch.next)
        next_state = self._default(run)
        return self._leave(run, raw, self.flow.output(run, states, raw), next_state)

    def _default(self, run):
        if self.default is None:
            raise run.runtime_error(NO_CHOICE_MATCHED, "No Matches!")
        return self.default

    def _leave(self, run, raw, output, next_state):
        run.exit_state(self, raw, output)
        return next_state, output
