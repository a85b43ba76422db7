"""Wave files -> migration requests, with every bad row named before anything is sent.

Three formats: waveflow's own CSV (:mod:`.team_csv`), Cloud Migration Factory's intake form (:mod:`.cmf`) and a
JSON array of requests (:mod:`.json_list`). Each row becomes a :class:`WaveRow`; the source server it names is
resolved to its MGN id (:func:`resolve_sources`: the local twin registers it with its MGN emulator), and then
:func:`check_rows` holds every row against the request schema — the one ingress uses — and against the wave's
identity rule (one migration per server per wave).

    >>> rows = read_wave("waves/wave-7.csv")
    >>> resolve_sources(rows, lambda row: emulator.add_source_server(hostname=row.source.hostname))
    >>> problems = check_rows(rows)   # [] when every row would be admitted
"""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Callable

from tasks.lib.request import validate_request, wave_text

from . import cmf, json_list, team_csv
from .rows import RowProblem, SourceFacts, WaveFileError, WaveRow

__all__ = ["RowProblem", "SourceFacts", "WaveFileError", "WaveRow", "check_rows", "read_wave", "resolve_sources"]

_CSV_FORMATS = (cmf, team_csv)  # CMF first: its header is the more specific


def read_wave(path: str | Path, requested_by: str = "waveflow-run") -> list[WaveRow]:
    """The rows of a wave file (CSV, CMF CSV or JSON, by extension and header); ``WaveFileError`` if unreadable.

    ``requested_by`` fills ``requestedBy`` where a row does not say who asked.
    """
    path = Path(path)
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise WaveFileError([RowProblem(file, 1, "file", f"cannot read it: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise WaveFileError([RowProblem(file, line, "file", f"not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                                            f"save it as UTF-8")]) from None
    if path.suffix.lower() == ".json":
        rows, problems = json_list.read(file, text, requested_by)
    else:
        rows, problems = _read_csv(file, text, requested_by)
    if problems:
        raise WaveFileError(problems)
    if not rows:
        raise WaveFileError([RowProblem(file, 1, "file", "holds no servers")])
    return rows


def _read_csv(file: str, text: str, requested_by: str) -> tuple[list[WaveRow], list[RowProblem]]:
    try:
        records = _numbered(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [RowProblem(file, 1, "file", f"not CSV: {exc}")]
    if not records:
        return [], [RowProblem(file, 1, "file", "is empty")]
    (_, header), body = records[0], records[1:]
    width = [RowProblem(file, line, "row", f"has {len(cells)} cells, the header names {len(header)} columns")
             for line, cells in body if len(cells) > len(header)]
    fmt = next((f for f in _CSV_FORMATS if f.looks_like(header)), None)
    if fmt is None:
        return [], [RowProblem(file, 1, "header", "names no 'server' column (waveflow's wave CSV) and is not a "
                                                  "Cloud Migration Factory intake form (server_name, wave_name)")]
    rows, problems = fmt.read(file, header, body, requested_by)
    return rows, problems + width


def _numbered(reader) -> list[tuple[int, list[str]]]:
    """CSV records, blank ones skipped, each with the line it starts on (a quoted cell may span lines)."""
    records = []
    start = 1
    for record in reader:
        if any(cell.strip() for cell in record):
            records.append((start, record))
        start = reader.line_num + 1
    return records


def resolve_sources(rows: list[WaveRow], register: Callable[[WaveRow], str]) -> None:
    """Fill ``sourceServerId`` of every row that names its server by hostname, with ``register(row)``'s answer."""
    for row in rows:
        if "sourceServerId" not in row.request:
            row.request["sourceServerId"] = register(row)


def check_rows(rows: list[WaveRow]) -> list[RowProblem]:
    """Every problem of every row: the reader's, the request schema's (by column), and two rows claiming one
    migration (the same server in the same wave) with different fields."""
    problems = []
    first_of: dict[tuple[str, str], WaveRow] = {}
    for row in rows:
        problems += [RowProblem(row.file, row.line, where, message) for where, message in row.faults]
        found = validate_request(row.request)
        problems += [RowProblem(row.file, row.line, row.column_of(p.path), p.message) for p in found]
        if found:
            continue
        identity = (row.request["sourceServerId"], wave_text(row.request["wave"]))
        first = first_of.setdefault(identity, row)
        if first is not row and first.request != row.request:
            problems.append(RowProblem(row.file, row.line, "row", f"server {identity[0]} is already in wave "
                                                                  f"{identity[1]} on line {first.line} with other "
                                                                  f"fields; one migration per server per wave"))
    return problems
