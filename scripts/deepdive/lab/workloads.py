"""Small local servers standing in for the sample images, one per replica, on 127.0.0.1.

helloworld answers GET /hello like examples-helloworld; httpbin answers /get, /headers,
/delay/N and /status/CODE like go-httpbin; tcp-echo prefixes each line with its argument.
A server can be told to misbehave (`Behaviour`): fail, fail the first N requests, or be slow.
"""

from __future__ import annotations

import json
import re
import socketserver
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from deepdive.lab.mesh import Pod

MAX_DELAY = 10.0  # seconds: /delay/N is capped, as go-httpbin caps it


@dataclass
class Behaviour:
    """How a server misbehaves; shared by the replicas of a Deployment when told so."""

    fail_status: int = 503
    fail_always: bool = False
    fail_first: int = 0  # fail this many requests, then answer normally
    fail_every: int = 0  # fail one request in this many
    delay: float = 0.0  # extra seconds before each answer
    _seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def should_fail(self) -> bool:
        with self._lock:
            self._seen += 1
            seen = self._seen
        if self.fail_always:
            return True
        if seen <= self.fail_first:
            return True
        return bool(self.fail_every) and seen % self.fail_every == 0


class Server:
    """One replica: a server thread on a port the OS picked, counting what it answered."""

    def __init__(self, pod: Pod, behaviour: Behaviour | None = None) -> None:
        self.pod = pod
        self.behaviour = behaviour or Behaviour()
        self.requests = 0
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._server: socketserver.TCPServer = self._make()
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=f"lab-{pod.name}", daemon=True)

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def count(self, path: str) -> None:
        with self._lock:
            self.requests += 1
            self.paths.append(path)

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _make(self) -> socketserver.TCPServer:
        owner = self
        if self.pod.app == "tcp-echo":
            class Echo(socketserver.StreamRequestHandler):
                timeout = 30
                disable_nagle_algorithm = True

                def handle(self) -> None:
                    prefix = owner.pod.args[1] if len(owner.pod.args) > 1 else "hello"
                    owner.count("tcp")
                    for line in self.rfile:
                        self.wfile.write(f"{prefix} {line.decode(errors='replace')}".encode())

            echo = _QuietTCPServer(("127.0.0.1", 0), Echo)
            echo.daemon_threads = True
            return echo

        class Handler(_HttpHandler):
            server_owner = owner

        http = _QuietHTTPServer(("127.0.0.1", 0), Handler)
        http.daemon_threads = True
        return http


def _quiet_error(request: Any, client_address: Any) -> None:
    """A caller that hung up (Envoy after a timeout) is normal here, not worth a traceback."""


class _QuietTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    handle_error = staticmethod(_quiet_error)


class _QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    handle_error = staticmethod(_quiet_error)


class _HttpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    disable_nagle_algorithm = True  # one small answer: no 40 ms wait for a delayed ACK
    server_owner: Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        owner = self.server_owner
        owner.count(self.path)
        if owner.behaviour.delay:
            time.sleep(owner.behaviour.delay)
        if owner.behaviour.should_fail():
            self._send(owner.behaviour.fail_status, "fail\n")
            return
        if owner.pod.app == "helloworld":
            self._helloworld()
        else:
            self._httpbin()

    def _helloworld(self) -> None:
        if self.path.split("?")[0] != "/hello":
            self._send(404, "Not Found\n")
            return
        version = self.server_owner.pod.labels.get("version", "v1")
        self._send(200, f"Hello version: {version}, instance: {self.server_owner.pod.name}\n")

    def _httpbin(self) -> None:
        path = self.path.split("?")[0]
        if found := re.fullmatch(r"/delay/(\d+(?:\.\d+)?)", path):
            time.sleep(min(float(found.group(1)), MAX_DELAY))
            self._json(200, self._echo())
        elif found := re.fullmatch(r"/status/(\d{3})", path):
            self._send(int(found.group(1)), "")
        elif path in ("/get", "/headers", "/anything", "/"):
            self._json(200, self._echo())
        else:
            self._send(404, "Not Found\n")

    def _echo(self) -> dict[str, Any]:
        return {"args": {}, "headers": {k: [v] for k, v in self.headers.items()},
                "origin": self.client_address[0], "url": self.path,
                "hostname": self.server_owner.pod.name}

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body, indent=2) + "\n", "application/json")

    def _send(self, status: int, body: str, kind: str = "text/plain") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def external_pod(host: str) -> Pod:
    """A stand-in for a host outside the mesh (a ServiceEntry's, or any other): httpbin."""
    return Pod(name=host, deployment=host, namespace="external", labels={}, app="httpbin",
               args=(), port=80)
