"""Before anything is sent: every server registered with MGN, every callback pointed at the local receiver, every
row checked.

* **Sources**: each server is registered with the MGN emulator as if its replication agent had just been
  installed — under the ``sourceServerId`` the row gives, or, for a row naming a hostname, under the id MGN
  assigns, which is then the row's (``intake.resolve_sources``). Its disks, address and OS family come from the
  row (a generated wave knows disks; a file's rows get MGN's default).
* **Callbacks**: a request's https ``callbackUrl`` becomes the local receiver's address for it, the original host
  and path kept in the path (``https://hooks.example.com/m`` -> ``https://localhost:PORT/callbacks/hooks.example
  .com/m``), so no callback leaves the machine and the receiver still tells requesters apart. Other URLs are left
  as they are, for the schema to refuse.
* **Checks**: ``intake.check_rows``, the schema ingress applies and one migration per server per wave. Rows with
  a problem are *rejected*: listed, and the run stops before sending anything (``WaveFileError``, exit 2) unless
  ``--send-invalid`` sends them anyway.

    >>> valid, rejected = admit(rows, emulator, receiver, send_invalid=False)  # doctest: +SKIP
"""
from __future__ import annotations

import re

from .intake import WaveFileError, WaveRow, check_rows, resolve_sources

_SERVER_ID = re.compile(r"^s-[0-9a-f]{17}$")


def admit(rows: list[WaveRow], emulator, receiver, *, send_invalid: bool) -> tuple[list[WaveRow], list[WaveRow]]:
    """``(valid rows, rejected rows)``; raises ``WaveFileError`` for rejected rows unless ``send_invalid``."""
    registered: set[str] = set()
    for row in rows:
        server = row.request.get("sourceServerId")
        if isinstance(server, str) and _SERVER_ID.match(server) and server not in registered:
            _register(emulator, row, server)
            registered.add(server)
    resolve_sources(rows, lambda row: _register(emulator, row, None))
    for row in rows:
        url = row.request.get("callbackUrl")
        if isinstance(url, str) and url.startswith("https://"):
            row.request["callbackUrl"] = receiver.callback_url(url.split("://", 1)[1])
    problems = check_rows(rows)
    if problems and not send_invalid:
        raise WaveFileError(problems)
    bad = {(problem.file, problem.line) for problem in problems}
    return ([row for row in rows if (row.file, row.line) not in bad],
            [row for row in rows if (row.file, row.line) in bad])


def _register(emulator, row: WaveRow, server_id: str | None) -> str:
    facts = row.source
    family = "WINDOWS" if "windows" in (facts.os or "").lower() else "LINUX"
    return emulator.add_source_server(hostname=facts.hostname or "unnamed", ip=facts.ip or "10.0.0.5", os=family,
                                      disks_gib=facts.disks_gib, source_server_id=server_id)
