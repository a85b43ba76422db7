"""The outbound HTTPS poster: address policy, https only, signatures, retries, error names, kept-alive connections."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import ssl

import pytest
from scripted_server import ANSWER_THEN_HANG_UP, CLOSE, HALF_STATUS, HANG_UP, HTTP_1_0, KEEP, ScriptedServer
from stage_standins import HOSTNAME, CallbackReceiver, loopback_poster

from tasks.lib import http
from tasks.lib.errors import CallbackRejected, CallbackUnavailable
from tasks.lib.http import (
    MAX_RESPONSE_BYTES,
    SIGNATURE_HEADER,
    HttpsPoster,
    is_public_address,
    refusal,
    sign,
    verify_signature,
)


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


def test_the_request_goes_out_without_waiting_for_acknowledgements(certificate):
    """Nagle's algorithm is off on the poster's socket, as on http.client's own: the body is not held back until
    the server acknowledges the headers (a delayed acknowledgement costs up to 40 ms a callback)."""
    receiver = CallbackReceiver(certificate, "s3cret").start()
    port = int(receiver.base_url.rsplit(":", 1)[1])
    connection = http._PinnedHTTPSConnection(HOSTNAME, "127.0.0.1", port, timeout=5,
                                             context=certificate.client_context())
    try:
        connection.connect()
        assert connection.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        connection.close()
        receiver.stop()


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


# -- the address policy, range by range (IANA's special-purpose registries, written down here apart from the code) --

REFUSED_RANGES = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
    "::/128", "::1/128", "::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001::/32", "2001:2::/48",
    "2001:db8::/32", "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    "4000::/2",  # outside global unicast 2000::/3
]
PUBLIC_NEIGHBOURS = [
    "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
    "128.0.0.0", "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "191.255.255.255", "192.0.1.0",
    "192.0.3.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "203.0.112.255", "223.255.255.255",
    "2606:4700::1111", "2001:200::1", "2001:db7:ffff::1", "2001:db9::1", "3ffe:ffff::1", "2a00:1450::1",
    "::ffff:8.8.8.8", "::ffff:0:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
]


@pytest.mark.parametrize("network", REFUSED_RANGES)
def test_every_address_of_a_special_purpose_range_is_refused(network):
    block = ipaddress.ip_network(network)
    middle = block.network_address + (block.num_addresses // 2)
    for address in (block.network_address, middle, block.broadcast_address):
        assert not is_public_address(address), f"{address} in {network}"


@pytest.mark.parametrize("address", PUBLIC_NEIGHBOURS)
def test_public_addresses_next_to_the_refused_ranges_are_admitted(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("address", "carried"),
    [("::ffff:169.254.169.254", "169.254.169.254"), ("::ffff:0:10.1.2.3", "10.1.2.3"),
     ("64:ff9b::7f00:1", "127.0.0.1"), ("2002:c0a8:0101::1", "192.168.1.1"), ("2002:6440::1", "100.64.0.0")],
)
def test_an_ipv6_form_carrying_a_private_ipv4_address_is_refused_for_it(address, carried):
    assert f"carrying {carried}" in refusal(ipaddress.ip_address(address))


# -- permanent failures are not retried, here or by the workflow -------------------------------------------------

@pytest.mark.parametrize("url", ["https://hooks.example.com/a b", "https://hooks.example.com/x\r\nX-Injected: 1",
                                 "https://hooks.example.com/\tx", "https://hooks .example.com/", "https://h\x7f.com/"])
def test_a_url_with_whitespace_or_control_characters_is_rejected_before_anything(url):
    calls = []
    poster = HttpsPoster(resolve=lambda host, port: calls.append(host) or ["93.184.216.34"], sleep=calls.append)
    with pytest.raises(CallbackRejected, match="whitespace or control characters"):
        poster.post_json(url, {})
    assert calls == []
    assert not CallbackRejected.transient


def test_a_host_that_does_not_resolve_is_rejected_at_once():
    calls, sleeps = [], []

    def nxdomain(host, port):
        calls.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(CallbackRejected, match="hooks.example.com: it does not resolve"):
        HttpsPoster(resolve=nxdomain, sleep=sleeps.append).post_json("https://hooks.example.com/x", {})
    assert calls == ["hooks.example.com"] and sleeps == []


def test_a_resolver_that_cannot_answer_now_is_unavailable_not_rejected():
    def busy(host, port):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    with pytest.raises(CallbackUnavailable, match="cannot resolve hooks.example.com now"):
        HttpsPoster(resolve=busy).post_json("https://hooks.example.com/x", {})


def test_a_host_resolving_to_nothing_is_rejected():
    with pytest.raises(CallbackRejected, match="resolves to no address"):
        HttpsPoster(resolve=lambda host, port: []).post_json("https://hooks.example.com/x", {})


@pytest.mark.parametrize("status", [408, 429])
def test_408_and_429_are_retried(certificate, status):
    receiver = CallbackReceiver(certificate, "k").start()
    receiver.statuses = [status]
    try:
        response = loopback_poster(certificate).post_json(receiver.url, {"n": 1}, secret="k")
    finally:
        receiver.stop()
    assert response.status == 200 and len(receiver.received) == 2


@pytest.mark.parametrize("status", [400, 403, 410, 422])
def test_other_4xx_are_rejected_after_one_attempt(certificate, status):
    receiver = CallbackReceiver(certificate, "k").start()
    receiver.statuses = [status]
    try:
        with pytest.raises(CallbackRejected, match=f"HTTP {status}"):
            loopback_poster(certificate).post_json(receiver.url, {"n": 1}, secret="k")
    finally:
        receiver.stop()
    assert len(receiver.received) == 1


# -- DNS rebinding: resolved once, and the connection goes to the very address that was checked -------------------

def test_the_poster_connects_to_the_address_it_checked_even_when_dns_answers_otherwise_later(certificate):
    """The receiver listens on 127.0.0.2 only. The resolver answers 127.0.0.2 (the one address this policy admits)
    first and 127.0.0.1 afterwards, and the system resolves ``localhost`` to 127.0.0.1 too: connecting by hostname,
    or resolving twice, would reach 127.0.0.1, where nothing listens."""
    receiver = CallbackReceiver(certificate, "k", address="127.0.0.2").start()
    answers = [["127.0.0.2"]]
    asked = []

    def rebinding(host, port):
        asked.append(host)
        return answers.pop(0) if answers else ["127.0.0.1"]

    poster = loopback_poster(certificate, resolve=rebinding, attempts=1,
                             allow_address=lambda address: str(address) == "127.0.0.2")
    try:
        response = poster.post_json(receiver.url, {"n": 1}, secret="k")
    finally:
        receiver.stop()
    assert response.status == 200
    assert asked == ["localhost"]
    assert [request.local_address for request in receiver.received] == ["127.0.0.2"]
    assert receiver.url.startswith("https://localhost:")


def test_a_second_resolution_that_turns_private_is_never_made(certificate):
    answers = [["127.0.0.2"], ["10.0.0.1"]]
    receiver = CallbackReceiver(certificate, "k", address="127.0.0.2").start()
    receiver.statuses = [503]
    poster = loopback_poster(certificate, resolve=lambda host, port: answers.pop(0),
                             allow_address=lambda address: str(address) == "127.0.0.2")
    try:
        poster.post_json(receiver.url, {"n": 1}, secret="k")  # retried after the 503, on the checked address
    finally:
        receiver.stop()
    assert answers == [["10.0.0.1"]]
    assert [request.local_address for request in receiver.received] == ["127.0.0.2", "127.0.0.2"]


# -- kept-alive connections: reused, replaced when the server closed them, a POST never written twice ---------------

@pytest.fixture
def scripted(certificate):
    server = ScriptedServer(tls=certificate.server_context()).start()
    yield server
    server.stop()


def scripted_url(server: ScriptedServer) -> str:
    return f"https://{HOSTNAME}:{server.port}/hooks/waveflow"


def test_callbacks_to_one_receiver_share_a_connection(certificate, scripted):
    poster = loopback_poster(certificate)
    for n in range(3):
        assert poster.post_json(scripted_url(scripted), {"n": n}, secret="k").status == 200
    assert [request.connection for request in scripted.requests] == [1, 1, 1]


def test_a_callback_after_the_receiver_closed_the_idle_connection_goes_out_once_on_a_new_one(certificate, scripted):
    scripted.script = [ANSWER_THEN_HANG_UP]
    poster = loopback_poster(certificate)
    poster.post_json(scripted_url(scripted), {"n": 1}, secret="k")
    assert scripted.hung_up.wait(5)
    assert poster.post_json(scripted_url(scripted), {"n": 2}, secret="k").status == 200
    assert [(r.connection, json.loads(r.body)) for r in scripted.requests] == [(1, {"n": 1}), (2, {"n": 2})]


@pytest.mark.parametrize("misbehaviour", [HANG_UP, HALF_STATUS])
def test_a_callback_whose_answer_is_lost_is_not_sent_twice_and_is_unavailable(certificate, scripted, misbehaviour):
    """The receiver read the callback and hung up mid-answer: it may have acted on it, so the poster does not send
    it again (the workflow retries CallbackUnavailable later, under the same delivery ID)."""
    scripted.script = [KEEP, misbehaviour]
    sleeps: list[float] = []
    poster = loopback_poster(certificate, sleep=sleeps.append)
    poster.post_json(scripted_url(scripted), {"n": 1}, secret="k")
    with pytest.raises(CallbackUnavailable, match="answer was lost .*not sent again") as raised:
        poster.post_json(scripted_url(scripted), {"n": 2}, secret="k")
    assert raised.value.transient and sleeps == []
    assert [json.loads(r.body) for r in scripted.requests] == [{"n": 1}, {"n": 2}]


def test_a_get_whose_answer_is_lost_is_retried(certificate, scripted):
    scripted.script = [HANG_UP]
    assert loopback_poster(certificate).request("GET", scripted_url(scripted)).status == 200
    assert [(r.connection, r.method) for r in scripted.requests] == [(1, "GET"), (2, "GET")]


def test_connection_close_and_http_1_0_answers_are_honoured(certificate, scripted):
    scripted.script = [CLOSE, HTTP_1_0, KEEP, KEEP]
    poster = loopback_poster(certificate)
    for n in range(4):
        poster.post_json(scripted_url(scripted), {"n": n}, secret="k")
    assert [request.connection for request in scripted.requests] == [1, 2, 3, 3]


def test_a_poster_replaced_by_configure_closes_its_connections(certificate, scripted):
    first = loopback_poster(certificate)
    first.post_json(scripted_url(scripted), {"n": 1})
    http.configure(first)
    http.configure(loopback_poster(certificate))
    try:
        first.post_json(scripted_url(scripted), {"n": 2})
    finally:
        http.configure()
    assert [request.connection for request in scripted.requests] == [1, 2]
