"""The outbound HTTPS poster: address policy, https only, signatures, retries, error names."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import ssl

import pytest
from stage_standins import CallbackReceiver, loopback_poster

from tasks.lib.errors import CallbackRejected, CallbackUnavailable
from tasks.lib.http import MAX_RESPONSE_BYTES, SIGNATURE_HEADER, HttpsPoster, is_public_address, sign, verify_signature


@pytest.mark.parametrize(
    "address",
    ["10.1.2.3", "172.16.0.9", "192.168.1.1", "127.0.0.1", "169.254.169.254", "0.0.0.0", "240.0.0.1",
     "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "100.64.0.1",
     "2002:a9fe:a9fe::1", "2002:0a00:0001::1", "64:ff9b::a9fe:a9fe", "::a9fe:a9fe"],
)
def test_default_policy_refuses_private_loopback_link_local_and_reserved(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:8.8.8.8", "2002:808:808::1"]
)
def test_default_policy_admits_public_addresses(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("resolved", [["169.254.169.254"], ["93.184.216.34", "10.0.0.5"]])
def test_a_host_resolving_to_any_private_address_is_refused_before_connecting(resolved):
    connects = []
    poster = HttpsPoster(resolve=lambda host, port: resolved, sleep=connects.append)
    with pytest.raises(CallbackRejected, match="hooks.example.com.*private"):
        poster.post_json("https://hooks.example.com/x", {"a": 1})
    assert connects == []


def test_the_real_default_poster_refuses_loopback_after_dns_resolution(certificate):
    receiver = CallbackReceiver(certificate, "s3cret").start()
    try:
        with pytest.raises(CallbackRejected, match="127.0.0.1"):
            HttpsPoster(ssl_context=certificate.client_context()).post_json(receiver.url, {"a": 1}, secret="s3cret")
    finally:
        receiver.stop()
    assert receiver.received == []


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.com/x", "ftp://hooks.example.com/x", "https:///nohost", "https://u:p@hooks.example.com/"],
)
def test_only_plain_https_urls_are_called(url):
    with pytest.raises(CallbackRejected, match="refusing"):
        HttpsPoster(resolve=lambda host, port: ["93.184.216.34"]).post_json(url, {})


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com:99999/x", "https://hooks.example.com:abc/", "https://hooks.example.com:0/",
     "https://[::1/x", "https://" + "a" * 64 + ".example.com/x", "https://hooks..example.com/x"],
)
def test_a_malformed_url_is_rejected_by_name(url):
    resolved = []
    poster = HttpsPoster(resolve=lambda host, port: resolved.append(host) or ["93.184.216.34"])
    with pytest.raises(CallbackRejected, match="not a valid URL"):
        poster.post_json(url, {})
    assert resolved == []


def test_signature_is_hmac_sha256_of_the_exact_body():
    body = b'{"status":"SUCCESS"}'
    assert sign(body, "k") == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert verify_signature(body, "k", sign(body, "k"))
    assert not verify_signature(body + b" ", "k", sign(body, "k"))
    assert not verify_signature(body, "other", sign(body, "k"))


def test_signed_post_reaches_the_receiver_and_verifies(certificate):
    receiver = CallbackReceiver(certificate, "s3cret").start()
    try:
        response = loopback_poster(certificate).post_json(receiver.url, {"status": "SUCCESS"}, secret="s3cret")
    finally:
        receiver.stop()
    assert response.status == 200
    assert receiver.verified == [{"status": "SUCCESS"}]
    request = receiver.received[0]
    assert request.headers[SIGNATURE_HEADER] == sign(request.body, "s3cret")
    assert json.loads(request.body) == {"status": "SUCCESS"}


def test_wrong_secret_is_rejected_by_the_receiver_as_callback_rejected(certificate):
    receiver = CallbackReceiver(certificate, "s3cret").start()
    try:
        with pytest.raises(CallbackRejected, match="HTTP 401"):
            loopback_poster(certificate).post_json(receiver.url, {"status": "SUCCESS"}, secret="wrong")
    finally:
        receiver.stop()
    assert receiver.verified == []


def test_server_errors_are_retried_with_backoff_then_succeed(certificate):
    receiver = CallbackReceiver(certificate, "k").start()
    receiver.statuses = [503, 502]
    sleeps: list[float] = []
    try:
        response = loopback_poster(certificate, sleep=sleeps.append, backoff_seconds=0.5).post_json(
            receiver.url, {"n": 1}, secret="k"
        )
    finally:
        receiver.stop()
    assert response.status == 200
    assert len(receiver.received) == 3
    assert sleeps == [0.5, 1.0]


def test_retries_are_bounded_and_end_in_callback_unavailable(certificate):
    receiver = CallbackReceiver(certificate, "k").start()
    receiver.statuses = [500, 500, 500, 500]
    try:
        with pytest.raises(CallbackUnavailable, match="after 3 attempts: HTTP 500"):
            loopback_poster(certificate).post_json(receiver.url, {"n": 1}, secret="k")
    finally:
        receiver.stop()
    assert len(receiver.received) == 3


def test_client_errors_are_not_retried(certificate):
    receiver = CallbackReceiver(certificate, "k").start()
    receiver.statuses = [404]
    try:
        with pytest.raises(CallbackRejected, match="HTTP 404"):
            loopback_poster(certificate).post_json(receiver.url, {"n": 1}, secret="k")
    finally:
        receiver.stop()
    assert len(receiver.received) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_rejected_and_not_followed(certificate, status):
    receiver = CallbackReceiver(certificate, "k").start()
    receiver.statuses = [status]
    try:
        with pytest.raises(CallbackRejected, match=f"HTTP {status} \\(redirects are not followed\\)"):
            loopback_poster(certificate).post_json(receiver.url, {"n": 1}, secret="k")
    finally:
        receiver.stop()
    assert len(receiver.received) == 1


def test_at_most_max_response_bytes_of_an_answer_are_read(certificate):
    receiver = CallbackReceiver(certificate, "k").start()
    receiver.answer = lambda request: (200, b"x" * (MAX_RESPONSE_BYTES + 4096))
    try:
        response = loopback_poster(certificate).post_json(receiver.url, {"n": 1})
    finally:
        receiver.stop()
    assert response.status == 200 and len(response.body) == MAX_RESPONSE_BYTES


def test_a_closed_port_is_unavailable_not_rejected(certificate):
    receiver = CallbackReceiver(certificate, "k").start()
    url = receiver.url
    receiver.stop()
    with pytest.raises(CallbackUnavailable, match="after 2 attempts"):
        loopback_poster(certificate, attempts=2).post_json(url, {"n": 1})


def test_an_untrusted_certificate_is_rejected_at_once(certificate):
    receiver = CallbackReceiver(certificate, "k").start()
    sleeps: list[float] = []
    try:
        with pytest.raises(CallbackRejected, match="certificate does not verify.*CERTIFICATE_VERIFY_FAILED"):
            poster = loopback_poster(certificate, ssl_context=ssl.create_default_context(), sleep=sleeps.append)
            poster.post_json(receiver.url, {"n": 1})
    finally:
        receiver.stop()
    assert sleeps == [] and receiver.received == []  # not retried: trust does not come back by waiting
