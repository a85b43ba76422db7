"""The Route 53 records of a cutover: what ``dns.recordName`` holds, switching it, and putting it back.

Records are handled whole, as Route 53 lists them (``ResourceRecordSet``), never reduced to a TTL and values,
so what is saved before a switch is exactly what a rollback restores. Only *plain* A, AAAA and CNAME records
are switched: an alias or a record with a routing policy (weighted, latency, failover, geolocation,
multivalue, CIDR; all carry a ``SetIdentifier``) is refused with :class:`UnsupportedDnsRecord` before
anything is changed, because replacing one of a set of weighted records, or an alias, by a single A record
silently changes how the name is served. The switch replaces every A/AAAA/CNAME record of the name with one A
record (a CNAME cannot coexist with it, and an AAAA left behind would keep sending IPv6 clients to the
source) in one atomic change batch.
"""

from __future__ import annotations

from typing import Any

from tasks.lib import aws
from tasks.lib.errors import UnsupportedDnsRecord

SWITCHED_TYPES = frozenset({"A", "AAAA", "CNAME"})
PLAIN_KEYS = frozenset({"Name", "Type", "TTL", "ResourceRecords"})
DEFAULT_TTL = 300
#: Record sets asked for per page: a name's own sets come first and are seldom more than a few; Route 53's default
#: page (300) would carry up to 300 other names' sets with each lookup.
PAGE_SIZE = 20


def fqdn(name: str) -> str:
    """``name`` as Route 53 lists it: lower case, with the final dot, ``*`` as ``\\052``.

    >>> fqdn("*.Billing.corp.example.com")
    '\\\\052.billing.corp.example.com.'
    """
    name = name.lower().replace("*", "\\052")
    return name if name.endswith(".") else f"{name}."


def records_at(dns: dict) -> list[dict[str, Any]]:
    """Every A, AAAA and CNAME record set of ``dns.recordName``, whole, in Route 53's order."""
    name = fqdn(dns["recordName"])
    pages = aws.paginator(aws.client("route53"), "list_resource_record_sets").paginate(
        HostedZoneId=dns["hostedZoneId"], StartRecordName=name, PaginationConfig={"PageSize": PAGE_SIZE}
    )
    found = []
    for page in pages:
        for record in page["ResourceRecordSets"]:
            if fqdn(record["Name"]) != name:  # listed in name order: the name's records are behind us
                return found
            if record["Type"] in SWITCHED_TYPES:
                found.append(record)
    return found


def require_plain(dns: dict, records: list[dict[str, Any]]) -> None:
    """Raise :class:`UnsupportedDnsRecord` unless every one of ``records`` is a plain record."""
    odd = [record for record in records if set(record) - PLAIN_KEYS]
    if odd:
        kinds = ", ".join(
            f"{record['Type']} with {', '.join(sorted(set(record) - PLAIN_KEYS))}" for record in odd
        )
        raise UnsupportedDnsRecord(
            f"{dns['recordName']} in hosted zone {dns['hostedZoneId']} holds {kinds}; waveflow switches only plain "
            "A, AAAA and CNAME records and changed nothing. Switch this name by hand, or leave 'dns' out of the request"
        )


def a_record(dns: dict, ip: str) -> dict[str, Any]:
    """The plain A record that points ``dns.recordName`` at ``ip`` with the request's TTL."""
    return {
        "Name": fqdn(dns["recordName"]),
        "Type": "A",
        "TTL": int(dns.get("ttl", DEFAULT_TTL)),
        "ResourceRecords": [{"Value": ip}],
    }


def replace(dns: dict, current: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> bool:
    """Make the name hold ``wanted`` instead of ``current`` in one atomic change batch; whether anything changed.

    ``current`` must be what the name holds now, as :func:`records_at` lists it: a record set of ``current``
    that ``wanted`` has no set of the same type (and set identifier) for is DELETEd, which names it exactly;
    every other set of ``wanted`` is UPSERTed.
    """
    replaced = {_identity(record) for record in wanted}
    changes = [{"Action": "DELETE", "ResourceRecordSet": r} for r in current if _identity(r) not in replaced]
    changes += [{"Action": "UPSERT", "ResourceRecordSet": r} for r in wanted if r not in current]
    if not changes:
        return False
    aws.client("route53").change_resource_record_sets(
        HostedZoneId=dns["hostedZoneId"], ChangeBatch={"Comment": "waveflow cutover", "Changes": changes}
    )
    return True


def _identity(record: dict[str, Any]) -> tuple[str, str, str | None]:
    return fqdn(record["Name"]), record["Type"], record.get("SetIdentifier")
