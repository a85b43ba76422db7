"""A raw HTTP/1.1 server on 127.0.0.1 that answers each request as its script says: how kept-alive connections are
met when a server closes them, answers ``Connection: close`` or HTTP/1.0, or hangs up after reading a request.

Written on sockets rather than ``http.server`` so that a test can make it misbehave exactly where it wants to.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass

#: what the server does with a request, after reading all of it
KEEP = "keep"  # 200 with a Content-Length, connection kept open
CLOSE = "close"  # 200 with Connection: close, then closes
HTTP_1_0 = "http/1.0"  # an HTTP/1.0 200 without keep-alive, then closes
ANSWER_THEN_HANG_UP = "answer, then hang up"  # 200 kept alive, then closes the connection soon after (idle close)
HANG_UP = "hang up"  # closes without answering
HALF_STATUS = "half status"  # sends half a status line, then closes


@dataclass(frozen=True)
class Request:
    connection: int  # 1 for the first connection accepted, 2 for the next...
    method: str
    path: str
    body: bytes


class ScriptedServer:
    """Answers requests as ``script`` says, in turn (``KEEP`` once it has run out); TLS when given a context.

    A connection the client stops writing to is left open until :meth:`stop`, as a server that has not noticed.
    """

    def __init__(self, script: list[str] | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[Request] = []
        self.hung_up = threading.Event()  # set whenever the server closed a connection on its own
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def start(self) -> ScriptedServer:
        self._accepter.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (closing would not)
        self._listener.close()
        for connection in self._connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in [self._accepter, *self._threads]:
            thread.join()

    def _accept(self) -> None:
        number = 0
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            number += 1
            thread = threading.Thread(target=self._serve, args=(connection, number), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket, number: int) -> None:
        hung_up = False
        try:
            if self._tls is not None:
                connection = self._tls.wrap_socket(connection, server_side=True)
            self._connections.append(connection)
            reader = connection.makefile("rb")
            while not hung_up:
                request = _read_request(reader, number)
                if request is None:  # the client stopped writing: left open until stop()
                    self._stopping.wait()
                    return
                self.requests.append(request)
                hung_up = not self._act(connection, self.script.pop(0) if self.script else KEEP)
        except OSError:
            return
        finally:
            connection.close()
            if hung_up:
                self.hung_up.set()

    @staticmethod
    def _act(connection: socket.socket, action: str) -> bool:
        """Answer as ``action`` says; whether the connection stays open."""
        body = b'{"received": true}'
        if action in (HANG_UP, HALF_STATUS):
            if action == HALF_STATUS:
                connection.sendall(b"HTTP/1.1 2")
            return False
        version, extra = ("HTTP/1.0", b"") if action == HTTP_1_0 else \
            ("HTTP/1.1", b"Connection: close\r\n" if action == CLOSE else b"")
        connection.sendall(f"{version} 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                           .encode() + extra + b"\r\n" + body)
        return action == KEEP


def _read_request(reader, number: int) -> Request | None:
    line = reader.readline()
    if not line:
        return None
    method, path, _ = line.decode().split(" ", 2)
    length = 0
    while (header := reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode().partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return Request(number, method, path, reader.read(length))
