"""Kept-alive HTTP connections: reused from one request to the next, never at the price of sending a request twice.

A new HTTPS connection costs a TCP and a TLS handshake on both sides; a connection kept open after an answer
costs neither the next time. Lambda keeps module-level objects between warm invocations, so connections kept by
the process's poster serve the next invocation too (the practice AWS recommends for Lambda, and easier on the
partner's server). The local twin's SNS deliveries keep theirs the same way.

The danger of reuse is a connection the server has closed while it was idle: the next request on it fails, and
whether sending it again is safe depends on whether the server can have read it. The rule here is the
conservative one (urllib3's for a POST, Go's ``net/http`` for a request that is not replayable; not
``xmlrpc.client``'s, which sends a POST again after ``RemoteDisconnected``):

- before reuse, a connection is dropped if the server has closed it or sent anything unasked (its socket is
  readable: its FIN, a TLS close_notify, an unsolicited 408) or if it has been idle :data:`IDLE_SECONDS` or more
  (servers commonly close idle connections after 5 s: Node, Apache), so that a server's close and our request
  rarely cross;
- a kept connection that fails while the request is being *written* (the socket refuses it: the request did not
  reach the server whole, and a server acts on no request it has not read whole) is dropped and the request is
  written once more on a new connection, at once;
- once the request has been written, whatever goes wrong (no answer: ``RemoteDisconnected``, a reset, a half
  status line, a timeout) is :class:`AnswerLost`: the server may have read the request and acted on it, and
  nothing here writes it again. The caller decides (the callback poster leaves a POST to the workflow's retry,
  which sends it with the same delivery ID the receiver deduplicates on).

Any error drops the connection; an answer with ``Connection: close``, an HTTP/1.0 answer without keep-alive, or
one whose body was not read to its end (longer than the reader wanted) closes it after the answer.
"""

from __future__ import annotations

import http.client
import select
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping

#: a connection idle this long is not reused (servers commonly close idle connections after 5 s)
IDLE_SECONDS = 4.0
#: idle connections kept per destination, and destinations kept (the least recently used one goes first)
PER_DESTINATION = 2
DESTINATIONS = 8


class AnswerLost(Exception):
    """The request was written but no complete answer came back: the server may have acted on it."""


class KeptConnections:
    """Idle connections by destination (any hashable key), each used by one request at a time.

    >>> kept = KeptConnections()
    >>> kept.exchange(("hooks.example.com", 443), new_connection, "POST", "/m", b"{}", {})  # doctest: +SKIP
    (200, b'')
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._idle: OrderedDict[Hashable, list[tuple[float, http.client.HTTPConnection]]] = OrderedDict()
        self._lock = threading.Lock()

    def exchange(
        self,
        destination: Hashable,
        connect: Callable[[], http.client.HTTPConnection],
        method: str,
        target: str,
        body: bytes,
        headers: Mapping[str, str],
        max_body: int | None = None,
    ) -> tuple[int, bytes]:
        """(status, body) of one request, on a kept connection to ``destination`` or on a new one from ``connect``.

        Errors before the request was written whole (connecting, TLS, writing) are raised as they are: the request
        can be sent again. After: :class:`AnswerLost`, from the error.
        """
        kept = self._take(destination)
        if kept is not None:
            try:
                kept.request(method, target, body=body or None, headers=dict(headers))
            except (OSError, http.client.HTTPException):
                kept.close()  # closed as we wrote: the request did not reach the server whole, so once more
            else:
                return self._answer(destination, kept, max_body)
        connection = connect()
        try:
            connection.request(method, target, body=body or None, headers=dict(headers))
        except BaseException:
            connection.close()
            raise
        return self._answer(destination, connection, max_body)

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, OrderedDict()
        for connections in idle.values():
            for _, connection in connections:
                connection.close()

    def _answer(self, destination: Hashable, connection: http.client.HTTPConnection,
                max_body: int | None) -> tuple[int, bytes]:
        try:
            response = connection.getresponse()
            body = response.read(max_body)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise AnswerLost(f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            connection.close()
            raise
        if response.will_close or not response.isclosed():
            connection.close()
        else:
            self._keep(destination, connection)
        return response.status, body

    def _take(self, destination: Hashable) -> http.client.HTTPConnection | None:
        """The most recently used idle connection to ``destination`` still fit for a request, or None."""
        now = self._clock()
        while True:
            with self._lock:
                connections = self._idle.get(destination)
                if not connections:
                    return None
                since, connection = connections.pop()
            if now - since < IDLE_SECONDS and _quiet(connection):
                return connection
            connection.close()

    def _keep(self, destination: Hashable, connection: http.client.HTTPConnection) -> None:
        dropped = []
        with self._lock:
            connections = self._idle.setdefault(destination, [])
            self._idle.move_to_end(destination)
            connections.append((self._clock(), connection))
            if len(connections) > PER_DESTINATION:
                dropped.append(connections.pop(0)[1])
            while len(self._idle) > DESTINATIONS:
                dropped.extend(connection for _, connection in self._idle.popitem(last=False)[1])
        for connection in dropped:
            connection.close()


def _quiet(connection: http.client.HTTPConnection) -> bool:
    """Whether the server has neither closed the connection nor sent anything since its last answer."""
    if connection.sock is None:
        return False
    poller = select.poll()  # not select.select: no limit on the descriptor's number
    poller.register(connection.sock, select.POLLIN)
    return not poller.poll(0)
