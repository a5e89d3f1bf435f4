"""`deepdive lab`: run an Istio traffic example on a real Envoy; exit 0 as declared,
1 when the observed behaviour differs (or a run fails), 2 on a usage error."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from deepdive.lab.catalog import LABS, Lab, Scenario, find
from deepdive.lab.fields import LabError
from deepdive.lab.mesh import Mesh
from deepdive.lab.report import Check, render_json, render_text
from deepdive.paths import project_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="run an Istio traffic example locally on a real Envoy",
        description=(
            "Translate the lab's manifests into Envoy configuration as istiod would, start "
            "Envoy and small stand-ins for the sample apps on 127.0.0.1, send traffic, and "
            "compare what happens with what the manifests declare. Exit status: 0 as "
            "declared, 1 a difference or a failed run, 2 usage error."
        ),
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="the lab to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the labs")
    parser.add_argument("--json", action="store_true",
                        help="print the results as JSON: files, expected and observed")
    parser.add_argument("--config", action="store_true",
                        help="print the generated Envoy configuration and stop")
    parser.add_argument("--serve", action="store_true",
                        help="keep Envoy and the workloads running; Ctrl-C stops everything")
    parser.add_argument("--scenario", metavar="NAME",
                        help="only this scenario of the lab (default: all)")
    parser.add_argument("--port", type=int, metavar="N",
                        help="with --serve: the port of the lab's main listener")
    parser.add_argument("--svg", type=Path, metavar="FILE",
                        help="observability: write the service graph to FILE")
    parser.add_argument("--record", type=Path, metavar="DIR",
                        help="run the lab (every lab without NAME) and write each result, "
                             "with a digest of its inputs, to DIR/NAME.json for the pages")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        width = max(len(lab.name) for lab in LABS)
        for lab in LABS:
            print(f"{lab.name:<{width}}  {lab.description}")
        return 0
    if args.record is not None and not args.scenario:
        return _record([find(args.name)] if args.name else list(LABS), args.record)
    if not args.name:
        print("deepdive lab: give a lab NAME, or --list", file=sys.stderr)
        return 2
    try:
        lab = find(args.name)
        scenarios = [s for s in lab.scenarios if args.scenario in (None, s.name)]
        if not scenarios:
            raise LabError(f"lab {lab.name} has no scenario {args.scenario!r}; it has: "
                           + ", ".join(s.name for s in lab.scenarios))
    except LabError as error:
        print(f"deepdive lab: {error}", file=sys.stderr)
        return 2
    try:
        if args.config:
            return _config(lab.name, scenarios)
        if args.serve:
            return _serve(scenarios[0], args.port)
        return _run(lab.name, scenarios, args)
    except LabError as error:
        print(f"deepdive lab: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `deepdive lab ... | head`: the reader left; nothing to say
        sys.stderr.close()
        return 1
    except KeyboardInterrupt:
        print("deepdive lab: interrupted; Envoy and the workloads are stopped",
              file=sys.stderr)
        return 130
    except Exception as error:  # a bug of ours must still end as one line, never a traceback
        print(f"deepdive lab: internal error, please report it: "
              f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1


def _record(labs: list[Lab], folder: Path) -> int:
    """Run whole labs and keep what they observed for the pages (lab_results)."""
    from deepdive.lab.envoy import envoy_binary, envoy_version
    from deepdive.lab.report import result_data
    from deepdive.lab.session import run_lab
    from deepdive.lab_results import RecordedLab, inputs_digest, write_recorded

    status = 0
    try:
        envoy = envoy_binary()
        version = envoy_version(envoy)
        for lab in labs:
            result = run_lab(project_root(), lab, envoy)
            recorded = RecordedLab(
                name=lab.name, digest=inputs_digest(lab.files, project_root() / "manifests"),
                recorded_at=datetime.now(UTC).strftime("%Y-%m-%d"), envoy_version=version,
                result=result_data(result))
            path = write_recorded(recorded, folder)
            print(f"{lab.name}: {'as declared' if result.ok else 'DIFFERS'}, written to {path}",
                  flush=True)
            status = status or (0 if result.ok else 1)
    except LabError as error:
        print(f"deepdive lab: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"deepdive lab: cannot write to {folder}: {error.strerror or error}",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("deepdive lab: interrupted; Envoy and the workloads are stopped",
              file=sys.stderr)
        return 130
    return status


def _config(name: str, scenarios: list[Scenario]) -> int:
    from deepdive.lab.session import preview_config

    out: dict[str, object] = {}
    for scenario in scenarios:
        out[scenario.name] = preview_config(project_root(), scenario)
    print(json.dumps(out if len(out) > 1 else next(iter(out.values())), indent=2))
    return 0


def _run(name: str, scenarios: list[Scenario], args: argparse.Namespace) -> int:
    from deepdive.lab.catalog import find as find_lab
    from deepdive.lab.report import LabResult
    from deepdive.lab.session import run_scenario

    lab = find_lab(name)
    result = LabResult(lab.name, lab.description)
    started = time.monotonic()

    def show(check: Check) -> None:
        if not args.json:
            mark = "ok " if check.ok else "BAD"
            print(f"  [{time.monotonic() - started:5.1f}s] {mark} {check.what}: expected "
                  f"{check.expected}, observed {check.observed}", flush=True)

    for scenario in scenarios:
        if not args.json:
            print(f"{lab.name} / {scenario.name}: "
                  + ", ".join(f"manifests/{f}" for f in scenario.files), flush=True)
        result.scenarios.append(run_scenario(project_root(), lab, scenario, on_check=show))
    if args.svg:
        for scenario_result in result.scenarios:
            if "svg" in scenario_result.extra:
                args.svg.write_text(scenario_result.extra["svg"])
    if args.json:
        sys.stdout.write(render_json([result]))
    else:
        sys.stdout.write("\n" + render_text([result]))
    return 0 if result.ok else 1


def _serve(scenario: Scenario, port: int | None) -> int:
    from deepdive.lab.envoy import envoy_binary
    from deepdive.lab.runner import Run, load_mesh
    from deepdive.lab.session import OUTSIDE

    # Ctrl-C, and a plain `kill`, end the `with` below, which stops everything (also when the
    # shell started us in the background with SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    mesh = load_mesh(project_root(), scenario)
    pinned: dict[str, int] = {}
    if port is not None:
        first = _main_listener(mesh, scenario)
        pinned[first] = port
    with Run(mesh, envoy_binary(), pinned, scenario.traffic.misbehave, OUTSIDE) as run:
        print(f"Envoy admin: http://{run.admin}/  (stats: /stats, config: /config_dump)")
        for listener, listen_port in sorted(run.listeners.items()):
            host = _listener_host(listener, scenario)
            print(f"curl -s -H 'Host: {host}' http://127.0.0.1:{listen_port}"
                  f"{scenario.traffic.path if host != 'tcp' else ''}"
                  if host != "tcp" else f"echo hello | nc 127.0.0.1 {listen_port}  "
                  f"# {listener}")
        print("Ctrl-C stops Envoy and the workloads.", flush=True)
        while run.process is not None and run.process.poll() is None:
            time.sleep(0.5)
        raise LabError("envoy stopped: " + (run.envoy_log().strip().splitlines() or ["?"])[-1])


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _main_listener(mesh: Mesh, scenario: Scenario) -> str:
    from deepdive.lab.mesh import fqdn

    if scenario.traffic.kind == "ingress":
        return f"{mesh.gateways[0].gateway}/0.0.0.0_{mesh.gateways[0].port}"
    if scenario.traffic.kind == "tcp-split":
        return f"{fqdn(scenario.traffic.host, 'default')}_{scenario.traffic.port}"
    return f"0.0.0.0_{scenario.traffic.port}"


def _listener_host(listener: str, scenario: Scenario) -> str:
    if "/" in listener:
        return scenario.traffic.host
    if not listener.startswith("0.0.0.0_"):
        return "tcp"
    return f"{scenario.traffic.host}:{listener.split('_')[-1]}"
