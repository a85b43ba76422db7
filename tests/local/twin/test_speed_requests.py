"""moto's request object made without werkzeug's environ builder (``waveflow.local.twin.speed.direct.requests``)
against the one moto's ``normalize_request`` makes: the same WSGI environ, key for key and in the same order, and
the same body, form and stream as werkzeug reads them."""
from __future__ import annotations

import sys

import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from moto.core.request import Request, normalize_request
from sent_requests import sent_requests
from werkzeug.test import EnvironBuilder

from waveflow.local.twin.speed.direct.requests import normalized, read


def _environ(request: Request) -> list[tuple[str, object]]:
    """The request's environ in order, its body and the request's own back-reference left out."""
    return [(key, value.getvalue() if key == "wsgi.input" else value)
            for key, value in request.environ.items() if key != "werkzeug.request"]


def _read_ours(request: AWSPreparedRequest) -> tuple:
    ours = normalized(request)
    read(ours)
    return _read(ours)


def _read(request: Request) -> tuple:
    """What moto reads of the request's body, through werkzeug: its data (first), form, files, values, content type
    and length, and what is left in its stream and input."""
    data = request.data
    return (data, type(request.form), list(request.form.items(multi=True)), list(request.files.items(multi=True)),
            list(request.values.items(multi=True)), request.mimetype, request.mimetype_params, request.content_length,
            request.stream.read(), type(request.stream), request.get_data(), request.environ["wsgi.input"].tell())


def _wave_requests(session) -> None:
    ec2, route53, sqs = session.client("ec2"), session.client("route53"), session.client("sqs")
    ec2.describe_instance_status(Filters=[{"Name": "instance-state-name", "Values": ["running"]}],
                                 IncludeAllInstances=True)
    zone = route53.create_hosted_zone(Name="corp.example.", CallerReference="ref")["HostedZone"]["Id"]
    route53.list_resource_record_sets(HostedZoneId=zone, StartRecordName="web.corp.example.", StartRecordType="A")
    route53.get_hosted_zone(Id=zone)
    queue = sqs.create_queue(QueueName="requests")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="caf\u00e9 \u2603")
    session.client("sts").get_caller_identity()


def _prepared(method: str, url: str, headers: dict[str, str], body) -> AWSPreparedRequest:
    http_headers = HTTPHeaders()
    for name, value in headers.items():
        http_headers[name] = value
    return AWSPreparedRequest(method=method, url=url, headers=http_headers, body=body, stream_output=False)


def test_the_environ_of_each_wave_request_is_the_one_moto_builds(fake_aws):
    sent = sent_requests(_wave_requests)
    assert len(sent) == 7
    for request in sent:
        assert _environ(normalized(request)) == _environ(normalize_request(request))
        assert _read_ours(request) == _read(normalize_request(request))
        assert type(normalized(request)) is Request


@pytest.mark.parametrize("request_", [
    _prepared("POST", "https://ec2.us-east-1.amazonaws.com/", {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Content-Length": "3"}, b""),
    _prepared("GET", "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1%2F2/rrset?name=a%20b&type=A",
              {"Host": "elsewhere.example:8443", "X-Amz-Date": "20240101T000000Z"}, None),
    _prepared("POST", "http://localhost:5000/path with space/caf\u00e9", {"x-amz-meta-my_key": "v",
                                                                          "Transfer-Encoding": "chunked"}, b"body"),
    _prepared("PUT", "https://s3.amazonaws.com/bucket/key", {"Content-Type": "text/plain"}, "text body"),
    _prepared("POST", "https://s3.amazonaws.com/bucket", {"Content-Type": "multipart/form-data; boundary=x"},
              b"--x--\r\n"),
    _prepared("POST", "https://sns.us-east-1.amazonaws.com/", {"Content-Type": "Application/X-WWW-Form-Urlencoded"},
              b"Action=Publish&Message=caf%C3%A9+%E2%98%83&Bad=%FF%FE&Empty=&Empty=again&NoValue"),
    _prepared("POST", "https://sns.us-east-1.amazonaws.com/", {"Content-Type": "application/x-www-form-urlencoded"},
              "Message=caf\u00e9 raw"),
], ids=["empty-form", "host-header-query", "odd-path-meta", "text-body", "multipart", "form-fields", "non-ascii-form"])
def test_unusual_requests_get_the_environ_moto_builds(request_):
    assert _environ(normalized(request_)) == _environ(normalize_request(request_))
    assert _read_ours(request_) == _read(normalize_request(request_))


@pytest.mark.parametrize("url, headers", [
    ("https://ec2.us-east-1.amazonaws.com/", {}),
    ("https://route53.amazonaws.com/2013-04-01/hostedzone/Z1%2F2/rrset?name=a%20b&type=A", {}),
    ("https://route53.amazonaws.com/2013-04-01/hostedzone/Z1%2F2/rrset", {"Host": "elsewhere.example:8443"}),
    ("http://localhost:5000/path with space/caf\u00e9?x=1", {}),
    ("https://sqs.us-east-1.amazonaws.com:443/123456789012/queue", {"Host": "sqs.us-east-1.amazonaws.com"}),
])
def test_the_url_moto_rebuilds_is_the_one_werkzeug_works_out(url, headers):
    for _ in range(2):  # worked out, then remembered
        ours = normalized(_prepared("GET", url, headers, None))
        theirs = normalize_request(_prepared("GET", url, headers, None))
        assert (ours.raw_url, ours.url_root, ours.host_url, ours.url) == \
            (theirs.raw_url, theirs.url_root, theirs.host_url, theirs.url)


def test_a_header_with_a_line_break_is_refused_as_werkzeug_refuses_it():
    broken = _prepared("GET", "https://sts.amazonaws.com/", {}, b"")
    broken.headers = {"X-Evil": "a\r\nb"}
    with pytest.raises(ValueError, match="newline") as theirs:
        normalize_request(broken)
    with pytest.raises(ValueError, match="newline") as ours:
        normalized(broken)
    assert str(ours.value) == str(theirs.value)


def test_the_errors_stream_is_the_one_in_place_for_the_request(monkeypatch, tmp_path):
    request = _prepared("POST", "https://sqs.us-east-1.amazonaws.com/", {"Content-Type": "application/json"}, b"{}")
    normalized(request)
    with open(tmp_path / "errors", "w") as errors:
        monkeypatch.setattr(sys, "stderr", errors)
        assert normalized(request).environ["wsgi.errors"] is errors is normalize_request(request).environ["wsgi.errors"]


def test_the_builder_writes_the_url_part_once_per_method_and_path(monkeypatch):
    built = []
    get_environ = EnvironBuilder.get_environ
    monkeypatch.setattr(EnvironBuilder, "get_environ",
                        lambda builder: built.append(builder.path) or get_environ(builder))
    for action in ("DescribeVpcs", "DescribeSubnets", "DescribeInstances"):
        request = _prepared("POST", "https://ec2.eu-west-3.amazonaws.com/once", {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, f"Action={action}&Version=2016-11-15")
        assert _environ(normalized(request))[-3:] == [
            ("CONTENT_TYPE", "application/x-www-form-urlencoded; charset=utf-8"),
            ("CONTENT_LENGTH", str(len(f"Action={action}&Version=2016-11-15"))), ("moto.preserved_header_names", {})]
    assert built == ["/once"]
