"""Owns processes and ports: the workloads, one Envoy, and their stopping — always.

`Run` is a context manager: entering starts the local servers (ports from the OS), writes
and validates the Envoy configuration, starts Envoy and waits until it is ready; leaving
stops Envoy and every server, on success, failure, exception or Ctrl-C.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from deepdive.lab import translate
from deepdive.lab.catalog import Misbehave, Scenario
from deepdive.lab.fields import LabError
from deepdive.lab.mesh import Mesh, build, pod_name
from deepdive.lab.workloads import Behaviour, Server, external_pod
from deepdive.manifests import ManifestError, load_file

READY_SECONDS = 10.0
_LIVE: set[subprocess.Popen[bytes]] = set()  # every Envoy started and not yet reaped


def _kill_leftovers() -> None:
    for process in list(_LIVE):
        _stop_process(process)


atexit.register(_kill_leftovers)


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    _LIVE.discard(process)


def load_mesh(root: Path, scenario: Scenario) -> Mesh:
    documents = []
    for name in scenario.files:
        path = root / "manifests" / name
        try:
            documents += load_file(path.relative_to(Path.cwd()) if path.is_relative_to(
                Path.cwd()) else path).documents
        except ManifestError as error:
            raise LabError(str(error)) from None
    return build(documents)


def check_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise LabError(f"port {port} on 127.0.0.1 is in use: choose another with "
                           "--port, or stop what holds it") from None


def validate_config(envoy: Path, config: Path) -> None:
    result = subprocess.run([str(envoy), "--mode", "validate", "-c", str(config),
                             "-l", "critical"], capture_output=True, text=True,
                            timeout=60, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise LabError("envoy rejected the generated configuration: "
                       + (message[-1] if message else f"exit {result.returncode}"))


class Run:
    """Envoy + the workloads of one scenario, for the duration of a `with` block."""

    def __init__(self, mesh: Mesh, envoy: Path, ports: dict[str, int] | None = None,
                 misbehave: tuple[Misbehave, ...] = (), externals: tuple[str, ...] = ()) -> None:
        self.mesh = mesh
        self.envoy = envoy
        self.pinned = ports or {}
        self.misbehave = misbehave
        self.externals = externals
        self.servers: dict[str, Server] = {}
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir = Path(tempfile.mkdtemp(prefix="deepdive-lab-"))
        self.admin = ""
        self.listeners: dict[str, int] = {}
        self.config: dict[str, Any] = {}

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> Run:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        for port in self.pinned.values():
            check_port_free(port)
        shared: dict[str, Behaviour] = {}
        for pod in self.mesh.pods:
            if pod.app == "client":
                continue
            behaviour = None
            for rule in self.misbehave:
                if rule.deployment == pod.deployment and (
                        rule.replica is None
                        or pod.name == pod_name(rule.deployment, rule.replica)):
                    behaviour = shared.setdefault(
                        f"{rule.deployment}/{rule.replica}",
                        Behaviour(fail_status=rule.fail_status, fail_always=rule.fail_always,
                                  fail_first=rule.fail_first, fail_every=rule.fail_every))
            self.servers[pod.name] = Server(pod, behaviour).start()
        for service in self.mesh.services:
            if service.external:
                self.servers[service.host] = Server(external_pod(service.host)).start()
        for host in self.externals:
            self.servers[host] = Server(external_pod(host)).start()
        endpoints = {name: server.address for name, server in self.servers.items()}
        self.config = translate.bootstrap(self.mesh, endpoints, self.pinned)
        config = self.workdir / "envoy.json"
        config.write_text(json.dumps(self.config, indent=1))
        validate_config(self.envoy, config)
        self._start_envoy(config)

    def _start_envoy(self, config: Path) -> None:
        address_file = self.workdir / "admin-address"
        log = (self.workdir / "envoy.log").open("ab")
        # stdout apart: an access log on /dev/stdout reopens it, with its own file offset.
        out = (self.workdir / "envoy.stdout").open("ab")
        self.process = subprocess.Popen(
            [str(self.envoy), "-c", str(config), "--concurrency", "1", "-l", "warning",
             "--admin-address-path", str(address_file), "--use-dynamic-base-id",
             "--drain-time-s", "0", "--file-flush-interval-msec", "200"],
            stdout=out, stderr=log, stdin=subprocess.DEVNULL,
            start_new_session=True)  # Ctrl-C reaches us; we stop Envoy ourselves
        log.close()
        out.close()
        _LIVE.add(self.process)
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = (self.workdir / "envoy.log").read_text(errors="replace").strip()
                last = tail.splitlines()[-1] if tail else f"exit {self.process.returncode}"
                raise LabError(f"envoy stopped while starting: {last}")
            if address_file.exists() and address_file.read_text().strip():
                self.admin = address_file.read_text().strip()
                try:
                    if self.admin_get("/ready").strip() == "LIVE":
                        self._read_listeners()
                        return
                except OSError:
                    pass
            time.sleep(0.02)
        raise LabError(f"envoy was not ready within {READY_SECONDS:.0f}s")

    def _read_listeners(self) -> None:
        data = json.loads(self.admin_get("/listeners?format=json"))
        for status in data.get("listener_statuses", []):
            self.listeners[status["name"]] = int(
                status["local_address"]["socket_address"]["port_value"])

    def stop(self) -> None:
        if self.process is not None:
            _stop_process(self.process)
        for server in self.servers.values():
            server.stop()
        self.servers.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- what a driver needs ---------------------------------------------------------------
    def admin_get(self, path: str) -> str:
        with urllib.request.urlopen(f"http://{self.admin}{path}", timeout=5) as answer:
            return str(answer.read().decode())

    def stats(self) -> dict[str, int]:
        out = {}
        for line in self.admin_get("/stats?usedonly").splitlines():
            name, _, value = line.rpartition(": ")
            if value.strip().isdigit():
                out[name] = int(value)
        return out

    def port(self, listener: str) -> int:
        if listener not in self.listeners:
            raise LabError(f"no listener {listener!r}; there are: "
                           + ", ".join(sorted(self.listeners)))
        return self.listeners[listener]

    def envoy_log(self) -> str:
        path = self.workdir / "envoy.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def access_log(self) -> str:
        path = self.workdir / "envoy.stdout"
        return path.read_text(errors="replace") if path.exists() else ""

    def pids(self) -> list[int]:
        return [self.process.pid] if self.process and self.process.poll() is None else []


def envoy_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
