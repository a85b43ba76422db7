"""The landing zone a wave's requests point at, made in moto before anything is sent."""
from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from waveflow.run.environment import PROCESS_ENV
from waveflow.run.landing import LandingZone

ZONE = "Z0WAVEFLOWRUN00000001"


@pytest.fixture
def fake_aws(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in PROCESS_ENV.items():
        monkeypatch.setenv(name, value)


def test_a_thousand_servers_records_all_land_in_their_zone_within_route53s_batch_limit(fake_aws):
    requests = [{"dns": {"hostedZoneId": ZONE, "recordName": f"web-{n:04d}.corp.example.com", "ttl": 60},
                 "source": {"ipAddress": f"10.0.{n // 250}.{n % 250 + 1}"}} for n in range(1000)]
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        LandingZone(session, account="123456789012", region="us-east-1").create(requests)
        pages = session.client("route53").get_paginator("list_resource_record_sets").paginate(HostedZoneId=ZONE)
        records = {r["Name"]: r for page in pages for r in page["ResourceRecordSets"] if r["Type"] == "A"}

    assert len(records) == 1000
    assert records["web-0999.corp.example.com."]["ResourceRecords"] == [{"Value": "10.0.3.250"}]
    assert records["web-0999.corp.example.com."]["TTL"] == 60


def test_the_launch_subnet_holds_the_launches_of_a_wave_of_thousands(fake_aws):
    """moto never gives a released address out again and each migration launches twice (test, cutover): the
    default /20 ran out at ~2,000 servers of a 5,000-server wave."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        subnet_id = LandingZone(session, account="123456789012", region="us-east-1").launch_subnet()
        subnet, = session.client("ec2").describe_subnets(SubnetIds=[subnet_id])["Subnets"]

    assert subnet["AvailableIpAddressCount"] >= 2 * 30_000
