"""Parsed expressions (``expressions.py``) applied to items: conditions tested, updates made, projections taken.

Stored items are never changed in place: an update builds a new item that shares what it does not change with
the stored one and has its own copies of the maps and lists along the paths it changes (``_own``); the new item
replaces the stored one only once every action succeeded, so a refused or failed update leaves the table as it
was. Answers are copies (``values.copy_item``), so no reader can change a stored item either; a value copied
once keeps its marshalled form (``values.Marshalled``), which holds because values are never changed in place.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import values
from .errors import ValidationError
from .values import Value

Steps = tuple  # resolved path: attribute names (str) and list indexes (int)


class Context:
    """A request's placeholders, as the expressions of one request share them."""

    def __init__(self, names: dict[str, str] | None, given_values: dict[str, Value] | None, kind: str) -> None:
        self.names = names or {}
        self.values = given_values or {}
        self.kind = kind

    def steps(self, path: tuple) -> Steps:
        resolved = []
        for element in path[1]:
            if type(element) is int:
                resolved.append(element)
            elif element[0] == "#":
                name = self.names.get(element[1])
                if name is None:
                    raise ValidationError(f"Invalid {self.kind}: An expression attribute name used in the document"
                                          f" path is not defined; attribute name: {element[1]}")
                resolved.append(name)
            else:
                resolved.append(element[1])
        return tuple(resolved)

    def value(self, placeholder: str) -> Value:
        found = self.values.get(placeholder)
        if found is None:
            raise ValidationError(f"Invalid {self.kind}: An expression attribute value used in expression is not"
                                  f" defined; attribute value: {placeholder}")
        return found


def get(item: dict[str, Value] | None, steps: Steps) -> Value | None:
    """The value at ``steps`` in ``item``, or ``None`` where the path leads nowhere."""
    if not item:
        return None
    node = item.get(steps[0])
    for step in steps[1:]:
        if node is None:
            return None
        if type(step) is int:
            elements = node.get("L")
            node = elements[step] if elements is not None and step < len(elements) else None
        else:
            members = node.get("M")
            node = members.get(step) if members is not None else None
    return node


# ---- conditions ---------------------------------------------------------------------------------------------------

def test(tree: tuple, item: dict[str, Value] | None, context: Context) -> bool:
    """Whether ``item`` (``None``: no item) meets the condition ``tree``."""
    kind = tree[0]
    if kind == "and":
        return test(tree[1], item, context) and test(tree[2], item, context)
    if kind == "or":
        return test(tree[1], item, context) or test(tree[2], item, context)
    if kind == "not":
        return not test(tree[1], item, context)
    if kind == "cmp":
        return _compare(tree[1], _operand(tree[2], item, context), _operand(tree[3], item, context))
    if kind == "between":
        subject, low, high = (_operand(part, item, context) for part in tree[1:])
        check_bounds(low, high, context.kind)
        return _compare(">=", subject, low) and _compare("<=", subject, high)
    if kind == "in":
        subject = _operand(tree[1], item, context)
        return subject is not None and any(values.equal(subject, _operand(option, item, context))
                                           for option in tree[2])
    return _function(tree[1], tree[2], item, context)


def check_operands(tree: tuple, context: Context) -> None:
    """Refuse, before any item is read, a function given a value of a type it cannot take (``begins_with`` a
    number, ``attribute_type`` anything but a type name), as DynamoDB does."""
    kind = tree[0]
    if kind in ("and", "or"):
        check_operands(tree[1], context)
        check_operands(tree[2], context)
    elif kind == "not":
        check_operands(tree[1], context)
    elif kind == "fn" and tree[1] in ("begins_with", "attribute_type") and tree[2][1][0] == ":":
        value = context.value(tree[2][1][1])
        allowed = ("S", "B") if tree[1] == "begins_with" else ("S",)
        value_kind = next(iter(value))
        if value_kind not in allowed:
            raise ValidationError(f"Invalid {context.kind}: Incorrect operand type for operator or function; operator"
                                  f" or function: {tree[1]}, operand type: {value_kind}")
        if tree[1] == "attribute_type" and value["S"] not in values.TYPES:
            raise ValidationError(f"Invalid {context.kind}: Invalid attribute type name found; type: {value['S']},"
                                  " valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }")


def check_bounds(low: Value | None, high: Value | None, field: str) -> None:
    """Refuse a BETWEEN whose bounds are the wrong way round (in ``field``, the expression's request field)."""
    if low is not None and high is not None and values.less(high, low):
        raise ValidationError(f"Invalid {field}: The BETWEEN operator requires upper bound to be greater"
                              f" than or equal to lower bound; lower operand: AttributeValue: {_shown(low)}, upper"
                              f" operand: AttributeValue: {_shown(high)}")


def _shown(value: Value) -> str:
    (kind, content), = value.items()
    return f"{{{kind}:{content}}}"


def _compare(op: str, left: Value | None, right: Value | None) -> bool:
    if op == "=":
        return left is not None and right is not None and values.equal(left, right)
    if op == "<>":
        return not (left is not None and right is not None and values.equal(left, right))
    below = values.less(left, right)
    if below is None:
        return False
    if op == "<":
        return below
    if op == ">=":
        return not below
    above = values.less(right, left)
    return above if op == ">" else not above  # "<="


def _operand(tree: tuple, item: dict[str, Value] | None, context: Context) -> Value | None:
    kind = tree[0]
    if kind == ":":
        return context.value(tree[1])
    if kind == "path":
        return get(item, context.steps(tree))
    found = get(item, context.steps(tree[1]))  # size(path)
    return None if found is None else {"N": str(_size(found, context))}


def _size(value: Value, context: Context) -> int:
    (kind, content), = value.items()
    if kind in ("N", "BOOL", "NULL"):
        raise ValidationError(f"Invalid {context.kind}: Incorrect operand type for operator or function; operator or"
                              f" function: size, operand type: {kind}")
    return len(content)


def _function(name: str, arguments: tuple, item: dict[str, Value] | None, context: Context) -> bool:
    found = get(item, context.steps(arguments[0]))
    if name == "attribute_exists":
        return found is not None
    if name == "attribute_not_exists":
        return found is None
    argument = _operand(arguments[1], item, context)
    if name == "attribute_type":  # its argument was checked to be a type name (check_operands)
        return found is not None and argument["S"] in found
    if found is None or argument is None:
        return False
    (kind, content), = found.items()
    (argument_kind, wanted), = argument.items()
    if name == "begins_with":
        return kind == argument_kind and kind in ("S", "B") and content.startswith(wanted)
    # contains
    if kind in ("S", "B"):
        return argument_kind == kind and wanted in content
    if kind in values.SETS:
        if argument_kind != kind[0]:
            return False
        if kind == "NS":
            return Decimal(wanted) in {Decimal(element) for element in content}
        return wanted in content
    if kind == "L":
        return any(values.equal(element, argument) for element in content)
    return False


# ---- updates ------------------------------------------------------------------------------------------------------

class Update:
    """One UpdateExpression applied to one item."""

    def __init__(self, clauses: dict[str, tuple], context: Context, key_names: tuple[str, ...]) -> None:
        self.context = context
        self.sets, self.removes, adds, deletes, self.paths, self.attributes = _plan(clauses, context, key_names)
        self.adds = [(steps, context.value(value[1])) for steps, value in adds]
        self.deletes = [(steps, context.value(value[1])) for steps, value in deletes]
        for steps, value in self.adds:
            if next(iter(value)) not in ("N", "SS", "NS", "BS"):
                raise ValidationError("Invalid UpdateExpression: Incorrect operand type for operator or function;"
                                      f" operator: ADD, operand type: {_type_name(value)}")
        for steps, value in self.deletes:
            if next(iter(value)) not in values.SETS:
                raise ValidationError("Invalid UpdateExpression: Incorrect operand type for operator or function;"
                                      f" operator: DELETE, operand type: {_type_name(value)}")

    def apply(self, old: dict[str, Value] | None) -> dict[str, Value]:
        """The item after the update (a new item; ``old`` is unchanged)."""
        computed = [(steps, self._value(tree, old)) for steps, tree in self.sets]
        new = dict(old) if old else {}
        for steps in self.paths:
            _own(new, steps[:-1])
        self.written = []
        for steps, value in computed:
            self.written.append(_put(new, steps, value))
        if self.removes:
            self._remove(new)
        for steps, value in self.adds:
            _add(new, steps, value)
        for steps, value in self.deletes:
            _delete(new, steps, value)
        self.written += [steps for steps, _ in self.adds + self.deletes]
        return new

    def _value(self, tree: tuple, old: dict[str, Value] | None) -> Value:
        kind = tree[0]
        if kind == ":":
            return self.context.value(tree[1])
        if kind == "path":
            found = get(old, self.context.steps(tree))
            if found is None:
                raise ValidationError("The provided expression refers to an attribute that does not exist in the item")
            return found
        if kind == "if_not_exists":
            found = get(old, self.context.steps(tree[1]))
            return found if found is not None else self._value(tree[2], old)
        left, right = self._value(tree[1], old), self._value(tree[2], old)
        if kind == "list_append":
            if "L" not in left or "L" not in right:
                raise ValidationError("An operand in the update expression has an incorrect data type")
            return {"L": left["L"] + right["L"]}
        if "N" not in left or "N" not in right:
            raise ValidationError("An operand in the update expression has an incorrect data type")
        first, second = Decimal(left["N"]), Decimal(right["N"])
        result = values.WIDE.add(first, second) if kind == "+" else values.WIDE.subtract(first, second)
        return {"N": values.number_text(values.checked_number(result))}

    def _remove(self, item: dict[str, Value]) -> None:
        # list elements go from the highest index down, so each index names the element it named before the update
        for steps in sorted(self.removes, key=lambda s: s[-1] if type(s[-1]) is int else -1, reverse=True):
            if len(steps) == 1:
                item.pop(steps[0], None)
                continue
            parent = get(item, steps[:-1])
            if parent is None:
                continue
            last = steps[-1]
            if type(last) is int and "L" in parent and last < len(parent["L"]):
                del parent["L"][last]
            elif type(last) is str and "M" in parent:
                parent["M"].pop(last, None)


#: update plans by (expression's clauses, placeholder names, key names); each entry holds its clauses, so their
#: ``id`` names them as long as the entry lives (the parsed clauses of one text are shared: ``_checked``)
_PLANS: dict[tuple, tuple] = {}
_PLANS_LIMIT = 4096


def _plan(clauses: dict[str, tuple], context: Context, key_names: tuple[str, ...]) -> tuple:
    """An update's paths resolved and checked (no two overlap, none a key attribute): (sets, removes, adds and
    deletes with their value placeholders, every path, the top-level attributes it may change). It depends on the
    expression and the placeholders' names only, so a wave's thousands of updates alike resolve it once (a refusal
    is not kept: raised again, by the same checks, each time)."""
    cache_key = (id(clauses), tuple(context.names.items()), key_names)
    found = _PLANS.get(cache_key)
    if found is not None:
        return found[1]
    sets = [(context.steps(path), value) for path, value in clauses.get("SET", ())]
    removes = [context.steps(path) for path in clauses.get("REMOVE", ())]
    adds = [(context.steps(path), value) for path, value in clauses.get("ADD", ())]
    deletes = [(context.steps(path), value) for path, value in clauses.get("DELETE", ())]
    paths = [steps for steps, _ in sets] + removes + [steps for steps, _ in adds] + [steps for steps, _ in deletes]
    _no_overlap(paths)
    for steps in paths:
        if steps[0] in key_names:
            raise ValidationError(f"One or more parameter values were invalid: Cannot update attribute {steps[0]}."
                                  " This attribute is part of the key")
    plan = (sets, removes, adds, deletes, paths, frozenset(steps[0] for steps in paths))
    if len(_PLANS) >= _PLANS_LIMIT:
        _PLANS.clear()
    _PLANS[cache_key] = (clauses, plan)
    return plan


def _type_name(value: Value) -> str:
    return {"S": "STRING", "N": "NUMBER", "B": "BINARY", "BOOL": "BOOLEAN", "NULL": "NULL", "L": "LIST",
            "M": "MAP", "SS": "SET", "NS": "SET", "BS": "SET"}[next(iter(value))]


def _shown_path(steps: Steps) -> str:
    return "[" + ", ".join(f"[{step}]" if type(step) is int else step for step in steps) + "]"


def _no_overlap(paths: list[Steps]) -> None:
    for number, first in enumerate(paths):
        for second in paths[number + 1:]:
            shorter = min(len(first), len(second))
            if first[:shorter] == second[:shorter]:
                raise ValidationError("Invalid UpdateExpression: Two document paths overlap with each other; must"
                                      f" remove or rewrite one of these paths; path one: {_shown_path(first)}, path"
                                      f" two: {_shown_path(second)}")


def _shallow(value: Value) -> Value:
    (kind, content), = value.items()
    if kind == "M":
        return {"M": dict(content)}
    if kind == "L":
        return {"L": list(content)}
    return value


def _own(item: dict[str, Value], steps: Steps) -> None:
    """Give ``item`` its own copies of the maps and lists along ``steps`` (the rest it shares with the stored item:
    values are replaced, never changed, so sharing them is safe)."""
    if not steps or steps[0] not in item:
        return
    node = item[steps[0]] = _shallow(item[steps[0]])
    for step in steps[1:]:
        container = node.get("L") if type(step) is int else node.get("M")
        if container is None or (step >= len(container) if type(step) is int else step not in container):
            return
        node = container[step] = _shallow(container[step])


def _put(item: dict[str, Value], steps: Steps, value: Value) -> Steps:
    """Set the value at ``steps``; the path it ends up at (an index past a list's end appends)."""
    if len(steps) == 1:
        item[steps[0]] = value
        return steps
    parent = get(item, steps[:-1])
    last = steps[-1]
    if parent is not None and type(last) is int and "L" in parent:
        elements = parent["L"]
        if last < len(elements):
            elements[last] = value
            return steps
        elements.append(value)
        return steps[:-1] + (len(elements) - 1,)
    if parent is not None and type(last) is str and "M" in parent:
        parent["M"][last] = value
        return steps
    raise ValidationError("The document path provided in the update expression is invalid for update")


def _add(item: dict[str, Value], steps: Steps, value: Value) -> None:
    found = get(item, steps)
    if found is None:
        _put(item, steps, value)
        return
    (kind, content), = value.items()
    if kind not in found:
        raise ValidationError("An operand in the update expression has an incorrect data type")
    if kind == "N":
        total = values.checked_number(values.WIDE.add(Decimal(found["N"]), Decimal(content)))
        _put(item, steps, {"N": values.number_text(total)})
        return
    present = set(found[kind]) if kind != "NS" else {Decimal(element) for element in found[kind]}
    added = [element for element in content
             if (Decimal(element) if kind == "NS" else element) not in present]
    _put(item, steps, {kind: found[kind] + added})


def _delete(item: dict[str, Value], steps: Steps, value: Value) -> None:
    found = get(item, steps)
    if found is None:
        return
    (kind, content), = value.items()
    if kind not in found:
        raise ValidationError("An operand in the update expression has an incorrect data type")
    gone = set(content) if kind != "NS" else {Decimal(element) for element in content}
    kept = [element for element in found[kind] if (Decimal(element) if kind == "NS" else element) not in gone]
    if kept:
        _put(item, steps, {kind: kept})
    elif len(steps) == 1:
        item.pop(steps[0])
    else:
        parent = get(item, steps[:-1])
        if type(steps[-1]) is int:
            del parent["L"][steps[-1]]
        else:
            del parent["M"][steps[-1]]


# ---- projections --------------------------------------------------------------------------------------------------

def selection(paths: list[Steps]) -> dict:
    """What a projection's paths select, as a tree of attribute names and list indexes (``True``: all of it), made
    once per request and taken from each item it answers with (``project``)."""
    wanted: dict[Any, Any] = {}
    for steps in paths:
        node = wanted
        for step in steps[:-1]:
            child = node.get(step)
            if child is True:
                break
            node = node.setdefault(step, {})
        else:
            node[steps[-1]] = True
    return wanted


def project(item: dict[str, Value], selected: dict,
            marshalled: values.Marshalled | None = None) -> dict[str, Value]:
    """A copy of the parts of ``item`` a ``selection`` names (list elements kept in their order, closed up;
    ``marshalled``: as ``values.copy`` takes it)."""
    result = {}
    for name, inner in selected.items():
        if type(name) is str and name in item:
            taken = _take(item[name], inner, marshalled)
            if taken is not None:
                result[name] = taken
    return result


def _take(value: Value, selection: Any, marshalled: values.Marshalled | None) -> Value | None:
    if selection is True:
        return values.copy(value, marshalled)
    if "M" in value:
        members = value["M"]
        taken = {name: _take(members[name], inner, marshalled) for name, inner in selection.items()
                 if type(name) is str and name in members}
        taken = {name: part for name, part in taken.items() if part is not None}
        return {"M": taken} if taken else None
    if "L" in value:
        elements = value["L"]
        indexes = sorted(i for i in selection if type(i) is int)
        taken = [_take(elements[index], selection[index], marshalled) for index in indexes if index < len(elements)]
        taken = [part for part in taken if part is not None]
        return {"L": taken} if taken else None
    return None
