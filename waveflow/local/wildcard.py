"""Choice ``StringMatches``: ``*`` matches any run of characters (newlines included), ``\\*`` a literal star and
``\\\\`` a literal backslash, as the ASL specification defines the operator.

A pattern is split once into the literal pieces between its stars; matching then places each piece at its
leftmost fit after the previous one (the first piece anchored at the start, the last at the end). That greedy
placement is exact for patterns with ``*`` as the only wildcard, and it never backtracks, so ``*a*a*a...*b``
against thousands of ``a``s costs one pass per piece instead of the exponential search of a regular expression.
"""
from __future__ import annotations


def compile_wildcard(pattern: str):
    """A predicate ``fn(text) -> bool`` for a StringMatches pattern.

    >>> matches = compile_wildcard("log-*.txt"); matches("log-1\\n2.txt"), matches("log.txt")
    (True, False)
    """
    pieces = _pieces(pattern)
    if len(pieces) == 1:
        literal = pieces[0]
        return lambda text: text == literal
    first, middle, last = pieces[0], pieces[1:-1], pieces[-1]
    fixed = len(first) + len(last)

    def matches(text: str) -> bool:
        if len(text) < fixed or not text.startswith(first) or not text.endswith(last):
            return False
        position, end = len(first), len(text) - len(last)
        for piece in middle:
            found = text.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True
    return matches


def _pieces(pattern: str) -> list[str]:
    """The literal text between unescaped stars (n stars give n + 1 pieces, some possibly empty)."""
    pieces, current, i = [], [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            current.append(pattern[i + 1])
            i += 2
            continue
        if char == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    pieces.append("".join(current))
    return pieces
