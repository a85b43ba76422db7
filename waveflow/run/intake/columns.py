"""Reading CSV headers and cells: the spellings a spreadsheet produces, and their errors named by column."""
from __future__ import annotations

import difflib
import re


def canonical(header: str) -> str:
    """``"Instance Type"``, ``"instance-type"`` and ``" instance_type "`` all name ``instance_type``."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def split_list(cell: str) -> list[str]:
    """A list cell: items separated by ``;``, ``,`` or whitespace (``sg-1;sg-2`` as CMF writes it)."""
    return [item for item in re.split(r"[;,\s]+", cell.strip()) if item]


def closest(name: str, known: list[str]) -> str:
    """``"; did you mean 'subnet'?"``, or ``""`` when nothing is close."""
    match = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {match[0]!r}?" if match else ""


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def boolean(cell: str) -> bool | str:
    """``yes``/``no`` and friends as a bool; anything else comes back as it is, for the schema to refuse."""
    text = cell.strip().lower()
    return True if text in _TRUE else False if text in _FALSE else cell


def integer(cell: str) -> int | str:
    """A whole number, or the text as it is for the schema to refuse (``"300"`` -> 300, ``"5m"`` -> "5m")."""
    text = cell.strip()
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else text
