"""Plain text tables, the way ``sam deploy`` prints change sets, events and outputs."""
from __future__ import annotations


def table(title: str, headers: list[str], rows: list[list[str]]) -> str:
    """``title``, a rule, the header, a rule, the rows, a rule; columns as wide as their longest cell.

    >>> print(table("Outputs", ["Key", "Value"], [["QueueUrl", "https://..."]]))
    Outputs
    -----------------------
    Key         Value
    -----------------------
    QueueUrl    https://...
    -----------------------
    """
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = lambda cells: "    ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    rule = "-" * (sum(widths) + 4 * (len(widths) - 1))
    return "\n".join([title, rule, line(headers), rule, *(line(r) for r in rows), rule])
