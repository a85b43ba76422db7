"""waveflow's own wave CSV: the columns a migration team keeps in its wave spreadsheet.

| column | request field | notes |
|---|---|---|
| server | sourceServerId | an MGN id (``s-`` + 17 hex), or a hostname looked up in MGN |
| hostname, ip, os | source.hostname, .ipAddress, .os | hostname defaults to ``server`` when that is not an id |
| app, wave, environment | appName, wave, environment | |
| account, region, subnet, instance_type | target.accountId, .region, .subnetId, .instanceType | |
| security_groups | target.securityGroupIds | separated by ``;``, ``,`` or spaces |
| dns_zone, dns_record, dns_ttl | dns.hostedZoneId, .recordName, .ttl | optional, together |
| callback | callbackUrl | optional |
| requested_by, test_launch, migration_id, correlation_id | requestedBy, testLaunch, ... | optional |

Headers are matched without regard to case, spaces or hyphens (``Instance Type`` is ``instance_type``). An
unknown column is an error (a typo would otherwise drop a field silently); an empty cell is an absent field.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .columns import boolean, canonical, closest, integer, split_list
from .rows import RowProblem, SourceFacts, WaveRow


@dataclass(frozen=True)
class Column:
    path: str
    convert: Callable[[str], Any] = str.strip
    required: bool = False


COLUMNS = {
    "server": Column("sourceServerId", required=True),
    "hostname": Column("source.hostname"),
    "ip": Column("source.ipAddress"),
    "os": Column("source.os"),
    "app": Column("appName", required=True),
    "wave": Column("wave", required=True),
    "environment": Column("environment", str.strip, required=True),
    "account": Column("target.accountId", required=True),
    "region": Column("target.region", required=True),
    "subnet": Column("target.subnetId", required=True),
    "instance_type": Column("target.instanceType", required=True),
    "security_groups": Column("target.securityGroupIds", split_list, required=True),
    "dns_zone": Column("dns.hostedZoneId"),
    "dns_record": Column("dns.recordName"),
    "dns_ttl": Column("dns.ttl", integer),
    "callback": Column("callbackUrl"),
    "requested_by": Column("requestedBy"),
    "test_launch": Column("testLaunch", boolean),
    "migration_id": Column("migrationId"),
    "correlation_id": Column("correlationId"),
}
ALIASES = {"app_name": "app", "application": "app", "env": "environment", "account_id": "account",
           "target_account": "account", "subnet_id": "subnet", "instancetype": "instance_type",
           "security_group_ids": "security_groups", "sgs": "security_groups", "callback_url": "callback",
           "source_server_id": "server", "ip_address": "ip"}
_SERVER_ID = "s-"


def looks_like(header: list[str]) -> bool:
    """Whether a CSV header is this format's (it names a ``server`` column)."""
    names = {ALIASES.get(canonical(h), canonical(h)) for h in header}
    return "server" in names


def set_path(document: dict[str, Any], path: str, value: Any) -> None:
    """``set_path(d, "target.subnetId", v)`` creates ``d["target"]`` as needed."""
    *parents, leaf = path.split(".")
    for part in parents:
        document = document.setdefault(part, {})
    document[leaf] = value


def read(file: str, raw_header: list[str], records: list[tuple[int, list[str]]],
         requested_by: str) -> tuple[list[WaveRow], list[RowProblem]]:
    """The records of a team CSV as requests; a problem of the header stops everything, naming every column."""
    header = [ALIASES.get(canonical(h), canonical(h)) for h in raw_header]
    problems = [RowProblem(file, 1, f"column {raw!r}", f"unknown column{closest(name, list(COLUMNS))}")
                for raw, name in zip(raw_header, header) if name not in COLUMNS]
    problems += [RowProblem(file, 1, f"column {name!r}", "appears twice")
                 for i, name in enumerate(header) if name in header[:i] and name in COLUMNS]
    problems += [RowProblem(file, 1, "header", f"required column {name!r} is missing")
                 for name, column in COLUMNS.items() if column.required and name not in header]
    if problems:
        return [], problems
    headings = {name: raw.strip() for name, raw in zip(header, raw_header)}  # problems name the file's own heading
    return [_row(file, line, dict(zip(header, cells)), headings, requested_by) for line, cells in records], []


def _row(file: str, line: int, cells: dict[str, str], headings: dict[str, str], requested_by: str) -> WaveRow:
    request: dict[str, Any] = {"requestedBy": requested_by}
    columns = {}
    for name, text in cells.items():
        if text is None or not text.strip():
            continue
        column = COLUMNS[name]
        set_path(request, column.path, column.convert(text))
        columns[column.path] = headings[name]
    server = request.get("sourceServerId", "")
    if not server.startswith(_SERVER_ID):  # a hostname to look up in MGN, not an id
        del request["sourceServerId"]
        request.setdefault("source", {}).setdefault("hostname", server)
        columns.setdefault("source.hostname", headings["server"])
    columns.setdefault("sourceServerId", "server")
    columns.setdefault("source", "hostname")
    source = request.get("source", {})
    facts = SourceFacts(hostname=source.get("hostname") or server, ip=source.get("ipAddress"), os=source.get("os"))
    return WaveRow(file, line, request, facts, columns)


