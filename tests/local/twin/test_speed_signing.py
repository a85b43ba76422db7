"""SigV4 signatures with ``waveflow.local.twin.speed.signing`` against botocore's own ``SigV4Auth.add_auth``: the
same headers (``Authorization``, ``X-Amz-Date``, the security token) for many dates, regions, services, bodies,
query strings and headers."""
from __future__ import annotations

import datetime
import io
import itertools

import pytest
from botocore import auth
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from twin_stacks import REGION

from waveflow.local.twin.speed import faster_moto, signing

DATES = [datetime.datetime(2026, 11, 30, 17, 54, 17), datetime.datetime(2026, 12, 1, 0, 0, 0),
         datetime.datetime(2024, 2, 29, 23, 59, 59)]
REGIONS = ["us-east-1", "eu-west-3", "ap-southeast-2"]
SERVICES = ["ec2", "ssm", "route53", "sqs"]
CREDENTIALS = [Credentials("testing", "testing", "testing"), Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", None)]
URLS = ["https://ec2.us-east-1.amazonaws.com/",
        "https://route53.amazonaws.com/2013-04-01/hostedzone/Z123/rrset?maxitems=1&name=web.corp.example.&type=A",
        "https://sqs.eu-west-3.amazonaws.com/123456789012/queue?b=2&a=1&a=0",
        "http://localhost:5000/path with space/~x?x=%2F&empty=",
        "https://[::1]:8443//double//slash/../up"]
BODIES = [b"", b"Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0123",
          '{"QueueUrl": "https://sqs"}', io.BytesIO(b"streamed body")]
HEADERS = [{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "User-Agent": "Boto3/1 waveflow"},
           {"X-Amz-Target": "AmazonSSM.SendCommand", "Content-Type": "application/x-amz-json-1.1",
            "Amz-Sdk-Invocation-Id": "  spaced   value  ", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
           {"Host": "example.internal:8080", "x-amz-meta-one": "a", "X-Amz-Meta-One": "b", "Connection": "keep-alive"},
           {"X-Amz-Date": "19990101T000000Z", "Authorization": "stale", "x-custom": "caf\u00e9"}]


def _request(url: str, body, headers: dict, params: dict, payload_signing: bool) -> AWSRequest:
    request = AWSRequest(method="POST" if body else "GET", url=url, headers=headers,
                         data=body.getvalue() if isinstance(body, io.BytesIO) else body, params=params)
    if isinstance(body, io.BytesIO):
        request.data = io.BytesIO(body.getvalue())
    request.context["payload_signing_enabled"] = payload_signing
    return request


def _signed(add_auth, signer: SigV4Auth, make) -> list:
    request = make()
    add_auth(signer, request)
    return list(request.headers.items())


CASES = list(itertools.product(DATES, REGIONS, SERVICES, CREDENTIALS))


@pytest.mark.parametrize("url,body,headers,params,payload_signing", [
    (url, body, headers, params, payload_signing)
    for (url, body, headers), params, payload_signing in zip(
        itertools.product(URLS, BODIES, HEADERS), itertools.cycle([{}, {}, {"z": "1", "a b": "c/d"}]),
        itertools.cycle([True, True, False]))])
def test_signatures_are_botocores(monkeypatch, url, body, headers, params, payload_signing):
    for date, region, service, credentials in CASES:
        monkeypatch.setattr(auth, "get_current_datetime", lambda: date)
        signer = SigV4Auth(credentials.get_frozen_credentials(), service, region)

        def make():
            return _request(url, body, dict(headers), dict(params), payload_signing)

        assert _signed(signing.add_auth, signer, make) == _signed(SigV4Auth.add_auth, signer, make)


def test_other_signers_and_debug_logging_take_botocores_own(monkeypatch, caplog):
    monkeypatch.setattr(auth, "get_current_datetime", lambda: DATES[0])
    credentials = CREDENTIALS[0].get_frozen_credentials()

    def make():
        return _request(URLS[0], BODIES[1], dict(HEADERS[0]), {}, True)

    s3 = S3SigV4Auth(credentials, "s3", REGION)
    assert _signed(signing.add_auth, s3, make) == _signed(S3SigV4Auth.add_auth, s3, make)
    plain = SigV4Auth(credentials, "ec2", REGION)
    with caplog.at_level("DEBUG", logger="botocore.auth"):
        assert _signed(signing.add_auth, plain, make) == _signed(SigV4Auth.add_auth, plain, make)
    assert "CanonicalRequest" in caplog.text


def test_it_signs_while_faster_moto_is_on_and_botocore_after():
    with faster_moto():
        assert SigV4Auth.add_auth is signing.add_auth
    assert SigV4Auth.add_auth is not signing.add_auth
