"""The legal transition table."""

from __future__ import annotations

from tasks.lib.status import TERMINAL, TRANSITIONS, Status, is_legal

HAPPY_PATH = ["PENDING", "VALIDATED", "SOURCE_PREPARED", "MIGRATION_IN_PROGRESS", "VERIFIED", "COMPLETED", "SUCCESS"]


def test_the_table_is_the_design_lifecycle():
    legal = {(str(a), str(b)) for a, targets in TRANSITIONS.items() for b in targets}
    expected = set(zip(HAPPY_PATH, HAPPY_PATH[1:]))
    expected |= {(s, "ROLLED_BACK") for s in HAPPY_PATH if s != "SUCCESS"}
    expected |= {("ROLLED_BACK", "FAILED")}
    assert legal == expected
    assert TERMINAL == {Status.SUCCESS, Status.FAILED}
    assert all(not TRANSITIONS[s] for s in TERMINAL)


def test_is_legal_accepts_text_and_members():
    assert is_legal("PENDING", Status.VALIDATED) and not is_legal(Status.FAILED, "ROLLED_BACK")
