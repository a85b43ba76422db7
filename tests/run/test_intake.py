"""Wave files become requests; every bad row is named by file, line and column before anything is sent."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from waveflow.run.intake import WaveFileError, check_rows, read_wave, resolve_sources

WAVES = Path(__file__).parent / "waves"


def _ids(rows):
    """What the twin does: register each hostname-only server with MGN and take the id MGN gives it."""
    resolve_sources(rows, lambda row: f"s-{row.line:017x}")


def test_a_team_csv_becomes_requests_with_lists_dns_and_callbacks():
    rows = read_wave(WAVES / "team.csv")
    _ids(rows)

    assert check_rows(rows) == []
    web, db = (row.request for row in rows)
    assert web["sourceServerId"] == "s-0a1b2c3d4e5f60718"
    assert web["target"]["securityGroupIds"] == ["sg-0123456789abcdef0", "sg-00000000000000001"]
    assert web["dns"] == {"hostedZoneId": "Z0WAVEFLOW00000000001", "recordName": "pay.corp.example.com"}
    assert web["callbackUrl"] == "https://hooks.example.com/migrations"
    assert db["sourceServerId"] == "s-00000000000000003" and db["source"]["hostname"] == "pay-db-01"
    assert "dns" not in db and "callbackUrl" not in db
    assert [row.line for row in rows] == [2, 3]


def test_a_cmf_intake_form_is_read_in_cmf_terms():
    rows = read_wave(WAVES / "cmf-intake.csv")
    _ids(rows)

    assert check_rows(rows) == []
    first, second = (row.request for row in rows)
    assert first["wave"] == "Wave-1" and first["environment"] == "prod" and second["environment"] == "dev"
    assert first["source"] == {"hostname": "server1.mydomain.local", "os": "windows server 2012 R2"}
    assert second["source"]["os"] == "linux"
    assert first["target"] == {"accountId": "111122223333", "region": "us-east-1", "subnetId": "subnet-11111111",
                               "instanceType": "m4.large", "securityGroupIds": ["sg-11111111", "sg-22222222"]}


def test_every_bad_row_is_named_by_line_and_column(tmp_path):
    path = tmp_path / "wave.csv"
    path.write_text("server,app,wave,environment,account,region,subnet,instance_type,security_groups\n"
                    "web-1,shop,3,prod,123456789012,us-east-1,subnet-0123456789abcdef0,m6i.large,sg-12345678\n"
                    "web-2,shop,3,production,12345,us-east-1,subnet-xyz,m6i.large,sg-12345678\n"
                    "web-3,,3,dev,123456789012,us-east-1,subnet-0123456789abcdef0,m6ilarge,\n")
    rows = read_wave(path)
    _ids(rows)

    problems = [str(p) for p in check_rows(rows)]
    assert f"{path}:3: column 'account': '12345' is not a 12-digit AWS account ID" in problems
    assert f"{path}:3: column 'subnet': 'subnet-xyz' is not a subnet ID: 'subnet-' and 8 or 17 lowercase hex " \
           f"characters" in problems
    assert any(p.startswith(f"{path}:3: column 'environment': 'production' is not one of") for p in problems)
    assert f"{path}:4: appName: is required" in problems
    assert f"{path}:4: target.securityGroupIds: is required" in problems
    assert any(p.startswith(f"{path}:4: column 'instance_type'") for p in problems)
    assert not any(p.startswith(f"{path}:2:") for p in problems)


def test_an_unknown_or_missing_column_stops_the_file_with_a_suggestion(tmp_path):
    path = tmp_path / "wave.csv"
    path.write_text("server,app,wave,enviroment,account,region,subnet,instance_type,security_groups\n"
                    "web-1,shop,3,prod,123456789012,us-east-1,subnet-0123456789abcdef0,m6i.large,sg-12345678\n")
    with pytest.raises(WaveFileError) as raised:
        read_wave(path)
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:1: column 'enviroment': unknown column; did you mean 'environment'?",
        f"{path}:1: header: required column 'environment' is missing",
    ]
    assert raised.value.exit_code == 2 and "nothing was sent" in raised.value.report()


def test_the_same_server_twice_in_a_wave_with_other_fields_is_refused_and_an_exact_copy_is_not(tmp_path):
    line = "s-0a1b2c3d4e5f60718,web-1,shop,3,prod,123456789012,us-east-1,subnet-0123456789abcdef0,{},sg-12345678\n"
    path = tmp_path / "wave.csv"
    path.write_text("server,hostname,app,wave,environment,account,region,subnet,instance_type,security_groups\n"
                    + line.format("m6i.large") + line.format("m6i.large") + line.format("m6i.xlarge"))
    rows = read_wave(path)

    assert [str(p) for p in check_rows(rows)] == [
        f"{path}:4: row: server s-0a1b2c3d4e5f60718 is already in wave 3 on line 2 with other fields; one "
        f"migration per server per wave"]


def test_cmf_rows_that_mgn_cannot_rehost_are_refused_in_cmf_words(tmp_path):
    path = tmp_path / "cmf.csv"
    path.write_text("wave_name,app_name,aws_region,aws_accountid,server_name,server_environment,r_type,subnet_IDs,"
                    "securitygroup_IDs,instanceType\n"
                    "W1,hr,us-east-1,111122223333,s1,prod,Retire,subnet-11111111,sg-11111111,m4.large\n"
                    "W1,hr,us-east-1,111122223333,s2,prod,Rehost,subnet-11111111;subnet-22222222,sg-11111111,m4.large\n")
    rows = read_wave(path)
    _ids(rows)

    problems = [str(p) for p in check_rows(rows)]
    assert problems == [
        f"{path}:2: column 'r_type': 'Retire': waveflow migrates servers that are rehosted (r_type Rehost) with MGN",
        f"{path}:3: column 'subnet_IDs': lists 2 subnets (subnet-11111111, subnet-22222222); MGN launches a server "
        f"into one",
    ]


def test_a_json_wave_reports_each_item_by_the_line_it_starts_on(tmp_path):
    good = {"sourceServerId": "s-0a1b2c3d4e5f60718", "appName": "shop", "wave": 3, "environment": "prod",
            "source": {"hostname": "web-1"}, "requestedBy": "ops",
            "target": {"accountId": "123456789012", "region": "us-east-1", "subnetId": "subnet-12345678",
                       "instanceType": "m6i.large", "securityGroupIds": ["sg-12345678"]}}
    path = tmp_path / "wave.json"
    text = "[\n" + json.dumps(good) + ",\n" + json.dumps({**good, "wave": "bad wave", "colour": "red"},
                                                         indent=2) + ",\n  42\n]\n"
    path.write_text(text)
    with pytest.raises(WaveFileError) as raised:
        read_wave(path)
    line_of_42 = text.splitlines().index("  42") + 1
    assert [str(p) for p in raised.value.problems] == [f"{path}:{line_of_42}: item: a request is a JSON object, not int"]

    path.write_text("[\n" + json.dumps(good) + ",\n" + json.dumps({**good, "wave": "bad wave", "colour": "red"},
                                                                 indent=2) + "\n]\n")
    rows = read_wave(path)
    problems = [str(p) for p in check_rows(rows)]
    assert any(p.startswith(f"{path}:3: colour: unknown field; allowed: appName") for p in problems)
    assert any(p.startswith(f"{path}:3: wave: 'bad wave' is not") for p in problems)
    assert rows[0].line == 2 and rows[1].line == 3


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfeserver", "not UTF-8 text"),
    (b"", "is empty"),
    (b"name,colour\nx,y\n", "names no 'server' column"),
    (b"[1, 2", "not a JSON array of requests"),
])
def test_files_that_are_not_waves_are_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / ("wave.json" if content.startswith(b"[") else "wave.csv")
    path.write_bytes(content)
    with pytest.raises(WaveFileError, match=message):
        read_wave(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(WaveFileError, match="cannot read it: No such file"):
        read_wave(tmp_path / "nope.csv")


def test_an_excel_byte_order_mark_does_not_hide_the_first_column(tmp_path):
    path = tmp_path / "wave.csv"
    path.write_bytes((WAVES / "team.csv").read_bytes().replace(b"Server", "\ufeffServer".encode(), 1))
    assert len(read_wave(path)) == 2


def test_a_server_named_by_its_mgn_id_still_needs_its_hostname_and_says_which_column(tmp_path):
    path = tmp_path / "wave.csv"
    path.write_text("server,app,wave,environment,account,region,subnet,instance_type,security_groups\n"
                    "s-0a1b2c3d4e5f60718,shop,3,prod,123456789012,us-east-1,subnet-12345678,m6i.large,sg-12345678\n")
    assert [str(p) for p in check_rows(read_wave(path))] == [f"{path}:2: column 'hostname': is required"]
