"""What the wave's requests point at, made in moto before anything is sent: the landing zone and the DNS.

* **Subnets and security groups** of targets in the stack's own account and region, under the very IDs the wave
  names, in one VPC (ValidateInput checks that they exist and share a VPC; targets in other accounts it cannot
  see, and says so). moto 5.2 takes custom IDs for Route 53 zones and secrets but not for EC2, so each is
  created through EC2's API while moto's own ID function for that one call returns the wave's ID.
* **Hosted zones** under the IDs the requests name (moto's custom-ID registry), each named after the common
  domain of its records, and **the records themselves**: an A record per request pointing at the source
  server's address, with the request's TTL, which FinalizeCutover switches and a rollback restores.

    >>> LandingZone(session, account="123456789012", region="us-east-1").create(requests)  # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import ipaddress
from collections import defaultdict
from typing import Any, Iterator
from unittest import mock

from moto.ec2.models import security_groups, subnets
from moto.route53.models import HostedZoneIdentifier
from moto.utilities.id_generator import moto_id_manager

VPC_CIDR = "10.250.0.0/16"
#: where the emulated MGN launches test and cutover instances: moto never gives a released address out again and
#: each migration launches twice, so a /20 (4,091 addresses, a default subnet) ran out at ~2,000 servers and failed
#: the rest of a 5,000-server wave; a /16 holds the launches of some 32,000 migrations
LAUNCH_CIDR = "10.251.0.0/16"
#: ChangeResourceRecordSets takes at most 1,000 ResourceRecord elements, an UPSERT's counted twice: 500 of ours
_CHANGES_PER_CALL = 500


@contextlib.contextmanager
def _moto_id(module: Any, function: str, wanted: str) -> Iterator[None]:
    """moto's ID function ``module.function`` returns ``wanted`` for one create call."""
    with mock.patch.object(module, function, return_value=wanted):
        yield


class LandingZone:
    """Creates, in the stack's account, what the requests of a wave name."""

    def __init__(self, session, *, account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.ec2 = session.client("ec2", region_name=region)
        self.route53 = session.client("route53")

    def create(self, requests: list[dict]) -> None:
        valid = [r for r in requests if isinstance(r.get("target"), dict)]
        self._network([r["target"] for r in valid if r["target"].get("accountId") == self.account
                       and r["target"].get("region") == self.region])
        self._dns([r for r in requests if isinstance(r.get("dns"), dict) and isinstance(r.get("source"), dict)])

    def launch_subnet(self) -> str:
        """A subnet for the instances MGN launches (the emulator's launch template names none): its ID."""
        vpc = self.ec2.create_vpc(CidrBlock=LAUNCH_CIDR)["Vpc"]["VpcId"]
        return self.ec2.create_subnet(VpcId=vpc, CidrBlock=LAUNCH_CIDR)["Subnet"]["SubnetId"]

    def _network(self, targets: list[dict]) -> None:
        subnet_ids = sorted({t["subnetId"] for t in targets if isinstance(t.get("subnetId"), str)})
        group_ids = sorted({g for t in targets for g in t.get("securityGroupIds") or () if isinstance(g, str)})
        if not subnet_ids and not group_ids:
            return
        vpc = self.ec2.create_vpc(CidrBlock=VPC_CIDR)["Vpc"]["VpcId"]
        blocks = ipaddress.ip_network(VPC_CIDR).subnets(new_prefix=24)
        for subnet_id, block in zip(subnet_ids, blocks):
            with _moto_id(subnets, "random_subnet_id", subnet_id):
                self.ec2.create_subnet(VpcId=vpc, CidrBlock=str(block))
        for group_id in group_ids:
            with _moto_id(security_groups, "random_security_group_id", group_id):
                self.ec2.create_security_group(VpcId=vpc, GroupName=group_id, Description="waveflow landing zone")

    def _dns(self, requests: list[dict]) -> None:
        by_zone: dict[str, dict[str, dict]] = defaultdict(dict)
        for request in requests:
            dns = request["dns"]
            if isinstance(dns.get("hostedZoneId"), str) and isinstance(dns.get("recordName"), str):
                by_zone[dns["hostedZoneId"]].setdefault(_fqdn(dns["recordName"]), request)
        for zone_id, records in sorted(by_zone.items()):
            self._zone(zone_id, _common_domain(list(records)))
            changes = [{"Action": "UPSERT", "ResourceRecordSet": {
                "Name": name, "Type": "A", "TTL": int(request["dns"].get("ttl") or 300),
                "ResourceRecords": [{"Value": request["source"].get("ipAddress") or "10.0.0.1"}]}}
                for name, request in sorted(records.items())]
            for start in range(0, len(changes), _CHANGES_PER_CALL):
                self.route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
                    "Changes": changes[start:start + _CHANGES_PER_CALL]})

    def _zone(self, zone_id: str, name: str) -> None:
        identifier = HostedZoneIdentifier(self.account, name, None)
        moto_id_manager.set_custom_id(identifier, zone_id)
        try:
            self.route53.create_hosted_zone(Name=name, CallerReference=f"waveflow-{zone_id}")
        finally:
            moto_id_manager.unset_custom_id(identifier)


def _fqdn(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _common_domain(names: list[str]) -> str:
    """The longest domain every record name lies under, a record's own name left out (``a.corp.example.com.``
    and ``b.corp.example.com.`` -> ``corp.example.com.``)."""
    parts = [name.rstrip(".").split(".")[1:] for name in names]
    common: list[str] = []
    for labels in zip(*(reversed(p) for p in parts)):
        if len(set(labels)) != 1:
            break
        common.insert(0, labels[0])
    return ".".join(common or parts[0]) + "."
