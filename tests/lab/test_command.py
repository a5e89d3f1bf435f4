"""`deepdive lab` as a reader uses it: list, run, JSON, config, and one-line errors."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from deepdive.cli import main
from deepdive.lab import envoy as envoy_module
from deepdive.lab.catalog import LABS


def test_list_prints_one_line_per_lab(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [lab.name for lab in LABS]


def test_unknown_lab_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "no-such-lab"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown lab 'no-such-lab'" in err


def test_json_has_files_expected_and_observed(capsys: pytest.CaptureFixture[str],
                                              envoy: Path) -> None:
    assert main(["lab", "egress", "--json"]) == 0
    (lab,) = json.loads(capsys.readouterr().out)
    scenario = lab["scenarios"][0]
    assert scenario["files"] == ["manifests/istio/egress/service-entry/service-entry.yaml",
                                 "manifests/istio/egress/registry-only/sidecar.yaml"]
    assert {"what", "expected", "observed", "ok"} <= set(scenario["checks"][0])


def test_config_prints_the_envoy_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lab", "mirroring", "--config"]) == 0
    config = json.loads(capsys.readouterr().out)
    assert "static_resources" in config


def test_missing_envoy_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    import builtins

    real_import = builtins.__import__

    def no_wheel(name: str, *args: object, **kwargs: object) -> object:
        if name == "envoy":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_wheel)
    monkeypatch.delenv("ENVOY_BIN", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["lab", "egress"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("deepdive lab: " + envoy_module.HOW_TO_GET)


def test_port_clash_is_one_line(capsys: pytest.CaptureFixture[str], envoy: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        assert main(["lab", "egress", "--serve", "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err == (f"deepdive lab: port {port} on 127.0.0.1 is in use: choose another with "
                   "--port, or stop what holds it\n")


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_serve_stops_envoy_on_ctrl_c(envoy: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "deepdive.cli", "lab", "egress", "--serve"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = _read_until(process, "Ctrl-C stops", seconds=120)  # a bound, not a speed check
        assert lines[-1].startswith("Ctrl-C stops"), lines
        envoys = _children(process.pid)
        assert envoys, "Envoy runs as the command's child"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=120) == 130
        assert b"interrupted" in (process.stderr.read() if process.stderr else b"")
        deadline = time.monotonic() + 60  # only a failing run waits this long
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists()
                                                  for p in envoys):
            time.sleep(0.05)
        for pid in envoys:
            assert not Path(f"/proc/{pid}").exists() or _zombie(pid), f"Envoy {pid} survived"
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def _read_until(process: Any, prefix: str, seconds: float) -> list[str]:
    """Lines of the process's stdout up to one starting with `prefix`, or until the deadline."""
    import os
    import selectors
    import time

    data = b""
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline and f"\n{prefix}" not in "\n" + data.decode():
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                data += chunk
    return data.decode().splitlines()


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
