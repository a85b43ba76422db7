"""How big text and boxes are, decided in Python so the SVG needs no browser to be laid out.

Widths come from Arial's advance widths (Liberation Sans and Helvetica share them), the first fonts the drawing
asks for; other fonts differ by a few percent, which the boxes' padding absorbs. Text too long for its box is
shortened with an ellipsis; the whole text stays in the hover details.
"""
from __future__ import annotations

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"
NAME_SIZE, DETAIL_SIZE, SMALL_SIZE = 13.0, 11.0, 10.0
LINE = 15.0            # baseline-to-baseline distance of detail lines
PAD_X, PAD_Y = 12.0, 9.0
MIN_WIDTH, MAX_WIDTH = 170.0, 300.0
BADGE_HEIGHT = 16.0
LANE_PAD = 14.0
PILL = (64.0, 26.0)    # Start and End
CHIP_HEIGHT = 18.0
CHIP_GAP = 4.0

# Advance widths per 1000 units of ASCII 32..126, regular and bold (Arial's metrics).
_REGULAR = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667,
    556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556,
    556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
    500, 500, 500, 334, 260, 334, 584)
_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722,
    611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556,
    611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778,
    556, 556, 500, 389, 280, 389, 584)
_OTHER = 1000  # anything outside ASCII: as wide as an em, never narrower than drawn


def width(text: str, size: float, bold: bool = False) -> float:
    """Width in pixels of ``text`` at ``size`` px.

    >>> round(width("ValidateInput", 13), 1)
    75.9
    """
    table = _BOLD if bold else _REGULAR
    units = sum(table[ord(c) - 32] if 32 <= ord(c) < 127 else _OTHER for c in text)
    return units * size / 1000


def fit(text: str, room: float, size: float, bold: bool = False) -> str:
    """``text``, or as much of it as fits in ``room`` px followed by an ellipsis."""
    if width(text, size, bold) <= room:
        return text
    while text and width(text + "…", size, bold) > room:
        text = text[:-1]
    return text + "…"


def wrap(text: str, room: float, size: float, lines: int = 2) -> list[str]:
    """``text`` broken at spaces into at most ``lines`` lines of at most ``room`` px; the last one is shortened
    with an ellipsis if the text does not fit."""
    out: list[str] = []
    words = text.split(" ")
    while words and len(out) < lines - 1:
        line = words.pop(0)
        while words and width(line + " " + words[0], size) <= room:
            line += " " + words.pop(0)
        if width(line, size) > room:
            words.insert(0, line)
            break
        out.append(line)
    if words:
        out.append(fit(" ".join(words), room, size))
    return out
