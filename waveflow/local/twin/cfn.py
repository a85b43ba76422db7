"""CloudFormation's template language, as far as the local twin needs it: YAML with short-form tags, parameters,
conditions and the intrinsic functions, resolved as CloudFormation resolves them at deploy time.

``Template`` holds a parsed template and the values it was given (parameters, pseudo parameters) and resolves any
value of it: ``Ref`` (parameters, pseudo parameters, resources), ``Fn::GetAtt``, ``Fn::Sub`` (both forms),
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If`` with ``AWS::NoValue``, ``Fn::Equals``/``Not``/``And``/
``Or`` in conditions, ``Fn::GetAZs``, ``Fn::Base64`` and ``Fn::ToJsonString``. What a resource's ``Ref`` and
attributes are is not CloudFormation's to know but each resource type's: ``Template`` asks its ``identities``
(logical ID -> ``Identity``), which the caller fills (see ``template``). Anything it cannot resolve raises
``TemplateError`` naming the resource and the path, never a silent ``None``.

    >>> t = Template.parse('Parameters: {Env: {Type: String}}\\nResources: {}', parameters={"Env": "dev"})
    >>> t.resolve({"Fn::Sub": "waveflow-${Env}-${AWS::Region}"})
    'waveflow-dev-us-east-1'
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import yaml

NO_VALUE = object()  # AWS::NoValue: the property it stands in is left out
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


class TemplateError(ValueError):
    """A template the twin cannot read or resolve; the message names the resource and the value's path."""


@dataclass(frozen=True)
class Identity:
    """What a resource resolves to: its ``Ref`` value and its ``Fn::GetAtt`` attributes."""

    ref: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML with CloudFormation's short forms (``!Ref X``, ``!GetAtt A.B``, ``!Sub ...``) read as long forms
    (by libyaml where PyYAML was built with it: the stack's template reads 5x faster)."""


def _short_form(loader: _Loader, suffix: str, node: yaml.Node) -> dict:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref" or suffix == "Condition":
        return {suffix: value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _short_form)


class Template:
    """One template with its parameter values, resolving values in place of CloudFormation."""

    def __init__(self, document: dict, *, parameters: Mapping[str, str] | None = None, stack_name: str = "waveflow",
                 region: str = "us-east-1", account: str = "123456789012") -> None:
        if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
            raise TemplateError("not a CloudFormation template: it has no Resources")
        self.document = document
        self.resources: dict[str, dict] = document["Resources"]
        self.pseudo = {"AWS::StackName": stack_name, "AWS::Region": region, "AWS::AccountId": account,
                       "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": NO_VALUE,
                       "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/{stack_name}/"
                                       f"00000000-0000-4000-8000-000000000000",
                       "AWS::NotificationARNs": []}
        self.parameters = self._parameters(dict(parameters or {}))
        self.identities: dict[str, Identity] = {}
        self._conditions: dict[str, bool] = {}

    @classmethod
    def parse(cls, text: str, **settings: Any) -> "Template":
        """A template from its YAML (or JSON) text."""
        try:
            document = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader with CloudFormation's tags
        except yaml.YAMLError as exc:
            raise TemplateError(f"not YAML: {exc}") from None
        return cls(document, **settings)

    @property
    def region(self) -> str:
        return self.pseudo["AWS::Region"]

    @property
    def account(self) -> str:
        return self.pseudo["AWS::AccountId"]

    @property
    def stack_name(self) -> str:
        return self.pseudo["AWS::StackName"]

    def _parameters(self, given: dict[str, str]) -> dict[str, Any]:
        declared = self.document.get("Parameters") or {}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise TemplateError(f"parameters the template does not declare: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, spec in declared.items():
            if name in given:
                value = given[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise TemplateError(f"parameter {name} has no default and no value was given")
            if spec.get("Type") == "CommaDelimitedList":
                value = [] if value in ("", None) else [item.strip() for item in str(value).split(",")]
            allowed = spec.get("AllowedValues")
            if allowed is not None and not isinstance(value, list) and str(value) not in [str(a) for a in allowed]:
                raise TemplateError(f"parameter {name}: {value!r} is not one of {allowed}")
            values[name] = value if isinstance(value, list) else str(value)
        return values

    # -- what exists -------------------------------------------------------------------------------------------

    def condition(self, name: str) -> bool:
        """The value of a named condition of ``Conditions``."""
        if name not in self._conditions:
            conditions = self.document.get("Conditions") or {}
            if name not in conditions:
                raise TemplateError(f"no condition named {name}")
            self._conditions[name] = bool(self._resolve(conditions[name], f"Conditions.{name}"))
        return self._conditions[name]

    def exists(self, logical_id: str) -> bool:
        """Whether a resource is created: it has no ``Condition`` or its condition holds."""
        condition = self.resources[logical_id].get("Condition")
        return condition is None or self.condition(condition)

    def of_type(self, resource_type: str) -> list[str]:
        """The logical IDs of the resources of one type that are created, in template order."""
        return [logical for logical, body in self.resources.items()
                if body.get("Type") == resource_type and self.exists(logical)]

    def properties(self, logical_id: str) -> dict[str, Any]:
        """A resource's ``Properties``, every value resolved (properties that resolve to AWS::NoValue left out)."""
        resolved = self._resolve(self.resources[logical_id].get("Properties") or {}, f"{logical_id}.Properties")
        return resolved if isinstance(resolved, dict) else {}

    def resolve(self, value: Any, where: str = "(value)") -> Any:
        return self._resolve(value, where)

    # -- resolution -------------------------------------------------------------------------------------------

    def _resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item, f"{where}[{n}]") for n, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            function = _FUNCTIONS.get(key)
            if function is not None:
                return function(self, argument, f"{where}.{key}")
        resolved = {key: self._resolve(item, f"{where}.{key}") for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    def ref(self, name: str, where: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.identity(name, where).ref

    def identity(self, logical_id: str, where: str) -> Identity:
        if logical_id not in self.resources:
            raise TemplateError(f"{where}: no resource or parameter named {logical_id}")
        if logical_id not in self.identities:
            raise TemplateError(f"{where}: the local twin does not know what {logical_id} "
                                f"({self.resources[logical_id].get('Type')}) resolves to")
        return self.identities[logical_id]

    def attribute(self, logical_id: str, name: str, where: str) -> Any:
        attributes = self.identity(logical_id, where).attributes
        if name not in attributes:
            raise TemplateError(f"{where}: {logical_id} has no attribute {name} (known: {', '.join(attributes)})")
        return attributes[name]


def _ref(t: Template, name: Any, where: str) -> Any:
    return t.ref(name, where)


def _get_att(t: Template, argument: Any, where: str) -> Any:
    logical_id, name = t.resolve(argument, where)
    return t.attribute(logical_id, name, where)


def _sub(t: Template, argument: Any, where: str) -> str:
    text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], t.resolve(argument[1], where))

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name in variables:
            return str(variables[name])
        if "." in name and name.split(".", 1)[0] in t.resources:
            return str(t.attribute(*name.split(".", 1), where))
        return str(t.ref(name, where))
    return _SUB.sub(value, text).replace("${!", "${")


def _join(t: Template, argument: Any, where: str) -> str:
    separator, items = t.resolve(argument, where)
    return separator.join(str(item) for item in items)


def _select(t: Template, argument: Any, where: str) -> Any:
    index, items = t.resolve(argument, where)
    return items[int(index)]


def _split(t: Template, argument: Any, where: str) -> list[str]:
    separator, text = t.resolve(argument, where)
    return text.split(separator)


def _if(t: Template, argument: Any, where: str) -> Any:
    name, when_true, when_false = argument
    return t.resolve(when_true if t.condition(name) else when_false, where)


def _equals(t: Template, argument: Any, where: str) -> bool:
    left, right = t.resolve(argument, where)
    return str(left) == str(right)


_FUNCTIONS = {
    "Ref": _ref,
    "Fn::GetAtt": _get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": _equals,
    "Fn::Not": lambda t, argument, where: not t.resolve(argument, where)[0],
    "Fn::And": lambda t, argument, where: all(t.resolve(argument, where)),
    "Fn::Or": lambda t, argument, where: any(t.resolve(argument, where)),
    "Condition": lambda t, name, where: t.condition(name),
    "Fn::GetAZs": lambda t, argument, where: [f"{t.region}{zone}" for zone in "abc"],
    "Fn::Base64": lambda t, argument, where: base64.b64encode(str(t.resolve(argument, where)).encode()).decode(),
    "Fn::ToJsonString": lambda t, argument, where: json.dumps(t.resolve(argument, where), separators=(",", ":")),
}
