"""A loopback TCP proxy in front of Odoo that misbehaves on request, for the fault-injection
tests: it can answer 502/503/504/429 without asking Odoo, answer as Odoo does when a
transaction failed for good (a serialization failure beyond its own retries), forward a
request and then drop the
response Odoo gave (so Odoo has committed and syncd does not know), or hold that response
until the test lets it go (so syncd can be killed while it waits).

Only requests whose body holds ``match`` are touched, and only the next ``count`` of them;
everything else passes through untouched. syncd talks HTTP/1.1 with one request per
connection (urllib), which is what this proxy handles.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    kind: str  # "status", "rpc_error", "drop" or "hold"
    match: str = ""
    count: int = 1
    status: int = 503
    error: str = "psycopg2.errors.SerializationFailure"  # for "rpc_error": Odoo's exception name
    seen: int = 0  # requests it applied to
    forwarded: threading.Event = field(default_factory=threading.Event)  # Odoo answered a held request
    release: threading.Event = field(default_factory=threading.Event)


class FaultProxy:
    def __init__(self, upstream_port: int):
        self.upstream = ("127.0.0.1", upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.requests = 0
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def add(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def close(self):
        self.closed = True
        for fault in self.faults:
            fault.release.set()
        self.listener.close()

    def _serve(self):
        while not self.closed:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _fault_for(self, body: bytes) -> Fault | None:
        with self.lock:
            self.requests += 1
            for fault in self.faults:
                if fault.seen < fault.count and fault.match.encode() in body:
                    fault.seen += 1
                    return fault
        return None

    def _handle(self, client: socket.socket):
        with client:
            request = _read_request(client)
            if request is None:
                return
            fault = self._fault_for(request)
            if fault is not None and fault.kind == "status":
                reason = {429: "Too Many Requests", 502: "Bad Gateway", 503: "Service Unavailable",
                          504: "Gateway Timeout"}.get(fault.status, "Error")
                client.sendall(f"HTTP/1.1 {fault.status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                               .encode())
                return
            if fault is not None and fault.kind == "rpc_error":
                client.sendall(_rpc_error(fault.error))
                return
            response = _forward(self.upstream, request)
            if fault is not None and fault.kind == "drop":
                return  # Odoo did the work; the caller never hears of it
            if fault is not None and fault.kind == "hold":
                fault.forwarded.set()
                fault.release.wait()
            try:
                client.sendall(response)
            except OSError:
                pass  # the caller is gone (killed, timed out)


def _rpc_error(name: str) -> bytes:
    """What Odoo answers when a request's transaction failed for good (its own retries of a
    serialization failure spent): HTTP 200 with a JSON-RPC error naming the exception."""
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": 200, "message": "Odoo Server Error", "data": {
        "name": name, "debug": "", "arguments": ["could not serialize access due to concurrent update"],
        "message": "could not serialize access due to concurrent update", "context": {}}}}).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


def _read_request(client: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _colon, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            return None
        body += chunk
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body


def _forward(upstream, request: bytes) -> bytes:
    with socket.create_connection(upstream, timeout=600) as server:
        server.sendall(request)
        chunks = []
        while chunk := server.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)
