"""Kept-alive connections: reused while the server keeps them, replaced when it closed them, and a request written
whole never written again. Plain HTTP on real sockets (the poster's tests do the same over TLS)."""

from __future__ import annotations

import http.client
import socket

import pytest
from scripted_server import ANSWER_THEN_HANG_UP, CLOSE, HALF_STATUS, HANG_UP, HTTP_1_0, KEEP, ScriptedServer

from tasks.lib.keepalive import IDLE_SECONDS, AnswerLost, KeptConnections


@pytest.fixture
def server():
    server = ScriptedServer().start()
    yield server
    server.stop()


class Connections:
    """``connect`` for KeptConnections, keeping every connection it made."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server
        self.made: list[http.client.HTTPConnection] = []

    def __call__(self) -> http.client.HTTPConnection:
        self.made.append(http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5))
        return self.made[-1]


def post(kept: KeptConnections, connect: Connections, body: bytes = b"{}", max_body: int | None = None):
    return kept.exchange("local", connect, "POST", "/hooks", body, {"Content-Type": "application/json"}, max_body)


def connections_used(server: ScriptedServer) -> list[int]:
    return [request.connection for request in server.requests]


def test_requests_to_one_destination_share_a_connection(server):
    kept, connect = KeptConnections(), Connections(server)
    assert post(kept, connect, b"1") == (200, b'{"received": true}')
    assert post(kept, connect, b"2")[0] == 200
    assert connections_used(server) == [1, 1] and len(connect.made) == 1
    assert [request.body for request in server.requests] == [b"1", b"2"]


def test_a_connection_the_server_closed_while_idle_is_replaced_and_the_request_arrives_once(server):
    server.script = [ANSWER_THEN_HANG_UP]
    kept, connect = KeptConnections(), Connections(server)
    post(kept, connect, b"1")
    assert server.hung_up.wait(5)
    assert post(kept, connect, b"2")[0] == 200
    assert [(r.connection, r.body) for r in server.requests] == [(1, b"1"), (2, b"2")]


def test_a_kept_connection_that_fails_while_the_request_is_written_is_replaced_at_once(server):
    """The request never reached the server whole, so writing it on a new connection cannot repeat it."""
    kept, connect = KeptConnections(), Connections(server)
    post(kept, connect, b"1")
    connect.made[0].sock.shutdown(socket.SHUT_WR)  # the next write on it fails; the server sees nothing new
    assert post(kept, connect, b"2")[0] == 200
    assert [(r.connection, r.body) for r in server.requests] == [(1, b"1"), (2, b"2")]


@pytest.mark.parametrize("misbehaviour", [HANG_UP, HALF_STATUS])
def test_a_request_whose_answer_is_lost_is_not_written_again(server, misbehaviour):
    """On a kept connection as on a new one: once written whole, the server may have acted on it."""
    server.script = [KEEP, misbehaviour, misbehaviour]
    kept, connect = KeptConnections(), Connections(server)
    post(kept, connect, b"1")
    with pytest.raises(AnswerLost):
        post(kept, connect, b"2")  # on the kept connection
    with pytest.raises(AnswerLost):
        post(kept, connect, b"3")  # on a new one
    assert [(r.connection, r.body) for r in server.requests] == [(1, b"1"), (1, b"2"), (2, b"3")]


def test_connection_close_and_http_1_0_answers_end_their_connection(server):
    server.script = [CLOSE, HTTP_1_0, KEEP, KEEP]
    kept, connect = KeptConnections(), Connections(server)
    for n in range(4):
        assert post(kept, connect, str(n).encode())[0] == 200
    assert connections_used(server) == [1, 2, 3, 3]


def test_an_answer_not_read_to_its_end_ends_its_connection(server):
    kept, connect = KeptConnections(), Connections(server)
    assert post(kept, connect, max_body=4) == (200, b'{"re')
    post(kept, connect)
    assert connections_used(server) == [1, 2]


def test_a_connection_idle_for_too_long_is_not_reused(server):
    now = [100.0]
    kept, connect = KeptConnections(clock=lambda: now[0]), Connections(server)
    post(kept, connect)
    now[0] += IDLE_SECONDS / 2
    post(kept, connect)
    now[0] += IDLE_SECONDS
    post(kept, connect)
    assert connections_used(server) == [1, 1, 2]


def test_close_ends_the_idle_connections(server):
    kept, connect = KeptConnections(), Connections(server)
    post(kept, connect)
    kept.close()
    assert connect.made[0].sock is None
    post(kept, connect)
    assert connections_used(server) == [1, 2]
