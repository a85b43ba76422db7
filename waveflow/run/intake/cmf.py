"""Cloud Migration Factory's intake form, as CMF exports it (``0-intake-form.csv``).

CMF's columns and what waveflow makes of them:

| CMF column | request field |
|---|---|
| wave_name (or wave_id in older forms) | wave: spaces become hyphens (``Wave 1`` -> ``Wave-1``), since a wave names executions |
| app_name | appName |
| server_fqdn, else server_name | source.hostname, looked up in MGN for the source server id |
| server_os_version, else server_os_family | source.os |
| server_environment | environment: ``production``/``prd`` -> prod, ``development`` -> dev, ``uat``/``qa``/``staging``/``testing`` -> test |
| aws_accountid, aws_region | target.accountId, target.region |
| subnet_IDs | target.subnetId (exactly one: MGN launches into one subnet) |
| securitygroup_IDs | target.securityGroupIds (``;``-separated) |
| instanceType | target.instanceType |
| r_type | must be ``Rehost``: MGN migrates by rehosting; other strategies are refused by row |

Other CMF columns (server_tier, tenancy, subnet_IDs_test, securitygroup_IDs_test, tags, custom attributes) are
CMF's own and are not needed to migrate a server: they are read past. CMF has no DNS or callback columns.
"""
from __future__ import annotations

import re
from typing import Any

from .columns import canonical, split_list
from .rows import RowProblem, SourceFacts, WaveRow
from .team_csv import set_path

_ENVIRONMENTS = {"prod": "prod", "production": "prod", "prd": "prod", "dev": "dev", "development": "dev",
                 "test": "test", "testing": "test", "uat": "test", "qa": "test", "staging": "test", "stage": "test"}
_MAPPED = {"wave_name": "wave", "wave_id": "wave", "app_name": "appName", "server_fqdn": "source.hostname",
           "server_name": "source.hostname", "server_os_version": "source.os", "server_os_family": "source.os",
           "server_environment": "environment", "aws_accountid": "target.accountId", "aws_region": "target.region",
           "subnet_ids": "target.subnetId", "securitygroup_ids": "target.securityGroupIds",
           "instancetype": "target.instanceType"}
#: When CMF gives both, the first of each pair wins.
_PREFERRED = (("server_fqdn", "server_name"), ("server_os_version", "server_os_family"), ("wave_name", "wave_id"))
REQUIRED = ("server_name", "app_name", "aws_accountid", "aws_region", "subnet_IDs", "securitygroup_IDs",
            "instanceType", "server_environment")


def looks_like(header: list[str]) -> bool:
    """Whether a CSV header is CMF's (it names ``server_name`` and a wave column)."""
    names = {canonical(h) for h in header}
    return "server_name" in names and bool({"wave_name", "wave_id"} & names)


def read(file: str, raw_header: list[str], records: list[tuple[int, list[str]]],
         requested_by: str) -> tuple[list[WaveRow], list[RowProblem]]:
    """The records of a CMF intake form as requests; missing required columns stop everything."""
    header = [canonical(h) for h in raw_header]
    missing = [name for name in REQUIRED if canonical(name) not in header]
    if missing:
        return [], [RowProblem(file, 1, "header", f"CMF intake form without column {name!r}") for name in missing]
    return [_row(file, line, dict(zip(header, cells)), requested_by) for line, cells in records], []


def _row(file: str, line: int, cells: dict[str, str], requested_by: str) -> WaveRow:
    cells = {name: text.strip() for name, text in cells.items() if text and text.strip()}
    for first, second in _PREFERRED:
        if first in cells:
            cells.pop(second, None)
    request: dict[str, Any] = {"requestedBy": requested_by}
    columns: dict[str, str] = {"sourceServerId": "server_name"}
    faults = []
    for name, text in cells.items():
        path = _MAPPED.get(name)
        if path is not None:
            set_path(request, path, _convert(path, text))
            columns[path] = name
    subnets = split_list(cells.get("subnet_ids", ""))
    if len(subnets) > 1:
        faults.append(("column 'subnet_IDs'", f"lists {len(subnets)} subnets ({', '.join(subnets)}); MGN launches "
                                              f"a server into one"))
    if cells.get("r_type", "Rehost").lower() != "rehost":
        faults.append(("column 'r_type'", f"{cells['r_type']!r}: waveflow migrates servers that are rehosted "
                                          f"(r_type Rehost) with MGN"))
    source = request.get("source", {})
    facts = SourceFacts(hostname=source.get("hostname", ""), os=source.get("os"))
    return WaveRow(file, line, request, facts, columns, faults)


def _convert(path: str, text: str) -> Any:
    if path == "wave":
        return re.sub(r"\s+", "-", text)
    if path == "environment":
        return _ENVIRONMENTS.get(text.lower(), text)
    if path == "target.securityGroupIds":
        return split_list(text)
    if path == "target.subnetId":
        return split_list(text)[0]
    return text
