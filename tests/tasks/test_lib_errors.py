"""The error classes are the error names docs/interfaces.md promises the workflows, on the right side of retry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tasks.lib import errors

INTERFACES = Path(__file__).resolve().parents[2] / "docs" / "interfaces.md"


def documented(kind: str) -> list[str]:
    """The backticked names of the ``- transient ...`` or ``- fatal ...`` item (it may wrap onto more lines)."""
    text = INTERFACES.read_text(encoding="utf-8")
    item = re.search(rf"^- {kind} \(.*?(?=^- |^$)", text, flags=re.MULTILINE | re.DOTALL)
    assert item, f"no '- {kind} (...)' item in {INTERFACES}"
    return [name for name in re.findall(r"`([A-Za-z.]+)`", item.group()) if not name.startswith("Lambda.")]


@pytest.mark.parametrize(("kind", "transient"), [("transient", True), ("fatal", False)])
def test_every_documented_error_name_is_a_class_of_that_kind(kind, transient):
    names = documented(kind)
    assert names
    for name in names:
        cls = getattr(errors, name, None)
        assert isinstance(cls, type) and issubclass(cls, errors.WaveflowError), f"{name} missing from tasks.lib.errors"
        assert cls.__name__ == name and cls.transient is transient, name


def test_no_error_class_is_undocumented():
    classes = {n for n, c in vars(errors).items() if isinstance(c, type) and issubclass(c, errors.WaveflowError)}
    assert classes - {"WaveflowError"} == set(documented("transient")) | set(documented("fatal"))


def test_invalid_document_errors_carry_their_problems():
    error = errors.InvalidMigrationDocument("bad", problems=["a", "b"])
    assert error.problems == ("a", "b") and str(error) == "bad"
