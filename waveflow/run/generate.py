"""``waveflow run --servers N``: a seeded, realistic wave, as a migration team's spreadsheet would hold it.

Applications of two to six servers in tiers (web, app, db), the disks and instance types those tiers have,
a mix of operating systems, most of the estate in prod, DNS records for the tiers users reach, one landing
subnet and security group per environment and tier. The same seed gives the same wave, byte for byte.

    >>> rows = generate_wave(200, seed=7, wave="7", hosted_zone_id="Z0WAVEFLOW00000000001")
    >>> rows[0].request["appName"], rows[0].source.hostname
    ('billing', 'billing-web-01')
"""
from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass

from .intake.rows import SourceFacts, WaveRow

APPS = ("billing", "crm", "payroll", "intranet", "inventory", "reporting", "orders", "identity", "search",
        "ledger", "shipping", "catalog", "support", "analytics", "hr-portal", "claims")
OPERATING_SYSTEMS = ("Amazon Linux 2", "Red Hat Enterprise Linux 8", "Ubuntu 22.04", "Windows Server 2019",
                     "Windows Server 2022", "SUSE Linux Enterprise 15")


@dataclass(frozen=True)
class Tier:
    name: str
    instance_type: str
    disks_gib: tuple[tuple[float, float], ...]  # (low, high) per disk
    dns: bool


TIERS = (Tier("web", "m6i.large", ((30, 80),), True),
         Tier("app", "m6i.xlarge", ((50, 100), (100, 300)), True),
         Tier("db", "r6i.2xlarge", ((50, 100), (500, 2000)), False))
ENVIRONMENTS = (("prod", 0.6), ("test", 0.25), ("dev", 0.15))
ACCOUNTS = {"prod": "111111111111", "test": "222222222222", "dev": "333333333333"}


def landing_id(prefix: str, *key: str) -> str:
    """A stable AWS-shaped id (``subnet-`` + 17 hex) for the landing zone's subnet or group of ``key``."""
    digest = hashlib.sha256("/".join(key).encode()).hexdigest()
    return f"{prefix}-{digest[:17]}"


def generate_wave(count: int, *, seed: int = 0, wave: str = "1", region: str = "us-east-1",
                  hosted_zone_id: str | None = None, domain: str = "corp.example.com",
                  callback_url: str | None = None, requested_by: str = "waveflow-run",
                  accounts: dict[str, str] = ACCOUNTS) -> list[WaveRow]:
    """``count`` servers of one wave; DNS records only when ``hosted_zone_id`` is given, callbacks to
    ``callback_url`` when given; ``accounts`` is the target account of each environment."""
    dice = random.Random(f"waveflow-wave/{seed}")
    rows: list[WaveRow] = []
    app_round = 0
    while len(rows) < count:
        app_name = APPS[app_round % len(APPS)] + (f"-{app_round // len(APPS) + 1}" if app_round >= len(APPS) else "")
        app_round += 1
        environment = dice.choices([e for e, _ in ENVIRONMENTS], [w for _, w in ENVIRONMENTS])[0]
        size = min(dice.randint(2, 6), count - len(rows))
        for index in range(size):
            tier = TIERS[min(index * len(TIERS) // max(size, 1), len(TIERS) - 1)]
            row = _server(dice, len(rows) + 1, app_name, tier, index + 1, environment, wave, region,
                          hosted_zone_id, domain, callback_url, requested_by, accounts[environment])
            row.request["correlationId"] = _correlation_id(seed, row.line)
            rows.append(row)
    return rows


def _correlation_id(seed: int, line: int) -> str:
    """A requester's correlation ID, as a ticketing system would send one, drawn from the seed (not from the dice,
    so the servers a seed gives stay the same): without one, ingress makes a random one and two runs of the same seed
    would differ in every history."""
    digest = hashlib.sha256(f"waveflow-wave/{seed}/correlation/{line}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _server(dice: random.Random, line: int, app: str, tier: Tier, number: int, environment: str, wave: str,
            region: str, zone: str | None, domain: str, callback: str | None, requested_by: str,
            account: str) -> WaveRow:
    hostname = f"{app}-{tier.name}-{number:02d}"
    source = SourceFacts(hostname=hostname, ip=f"10.{dice.randint(16, 31)}.{dice.randint(0, 255)}."
                                               f"{dice.randint(4, 250)}",
                         os=dice.choice(OPERATING_SYSTEMS),
                         disks_gib=tuple(round(dice.uniform(low, high)) for low, high in tier.disks_gib))
    request = {
        "appName": app, "wave": wave, "environment": environment, "requestedBy": requested_by,
        "source": {"hostname": hostname, "ipAddress": source.ip, "os": source.os},
        "target": {"accountId": account, "region": region,
                   "subnetId": landing_id("subnet", environment, tier.name),
                   "instanceType": tier.instance_type,
                   "securityGroupIds": [landing_id("sg", environment, tier.name)]},
    }
    if zone and tier.dns:
        request["dns"] = {"hostedZoneId": zone, "recordName": f"{hostname}.{domain}", "ttl": 60}
    if callback:
        request["callbackUrl"] = callback
    return WaveRow("(generated)", line, request, source)
