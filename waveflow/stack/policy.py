"""IAM statements as the template writes them: an Allow, its condition, and why it is as wide as it is."""
from __future__ import annotations

from dataclasses import dataclass

from .yamltext import to_yaml


@dataclass(frozen=True)
class Statement:
    """One Allow statement; ``why`` becomes a comment above it in the template (required for a ``*`` resource)."""

    actions: tuple[str, ...]
    resources: tuple
    why: str = ""
    condition: dict | None = None
    #: CloudFormation condition under which the statement exists (a resource that may be absent).
    when: str | None = None

    def body(self) -> dict:
        statement = {"Effect": "Allow", "Action": list(self.actions),
                     "Resource": self.resources[0] if self.resources == ("*",) else list(self.resources)}
        if self.condition:
            statement["Condition"] = self.condition
        if self.when:
            return {"Fn::If": [self.when, statement, {"Ref": "AWS::NoValue"}]}
        return statement


def allow(actions, resources, why: str = "", condition: dict | None = None, when: str | None = None) -> Statement:
    return Statement(tuple(actions), tuple(resources), why, condition, when)


def as_yaml(statements: list[Statement], indent: int) -> str:
    """Statements as YAML list items, each wide one preceded by a comment line with its reason."""
    lines = []
    for statement in statements:
        if statement.why:
            lines.append(f"{' ' * indent}# {statement.why}")
        lines.append(to_yaml([statement.body()], indent))
    return "\n".join(lines)


def wildcard_problems(owner: str, statements: list[Statement]) -> list[str]:
    """A wildcard action anywhere, or a ``*`` resource without its reason, is a build problem."""
    problems = []
    for statement in statements:
        for action in statement.actions:
            if action == "*" or action.endswith(":*"):
                problems.append(f"{owner}: action {action!r} is a wildcard; list the actions the code calls")
        if "*" in statement.resources and not statement.why:
            problems.append(f"{owner}: {', '.join(statement.actions)} on '*' needs a reason (why=...) saying that "
                            f"the API accepts nothing narrower")
    return problems
