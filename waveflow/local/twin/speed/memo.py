"""A memo that forgets everything once it is full: what the speed parts remember follows from its key alone, so
forgetting costs one working-out again, and a key that varies without end (Route 53's URLs carry zone and change
IDs) cannot make the memo grow without end."""
from __future__ import annotations

from typing import Any


class Memo(dict):
    """A dict whose ``keep`` empties it first when it holds ``most`` entries.

    >>> memo = Memo(2); memo.keep("a", 1), memo.keep("b", 2), memo.keep("c", 3), sorted(memo)
    (1, 2, 3, ['c'])
    """

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most

    def keep(self, key: Any, value: Any) -> Any:
        """Remember ``value`` for ``key``, and return it."""
        if len(self) >= self.most:
            self.clear()
        self[key] = value
        return value
