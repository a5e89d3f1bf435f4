"""A lab on a page: the command to run it, what a recorded run on Envoy observed, and the
Envoy configuration istiod would generate from the page's manifests (collapsed)."""

from __future__ import annotations

from typing import Any

import yaml

from deepdive.lab_results import RecordedLab


def _value(what: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and "share" in what:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_value(what, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(what, v) for v in value)
    return str(value)


def _cell(text: str) -> str:
    """Table-safe Markdown: pipes escaped, code-like values kept readable."""
    return text.replace("|", "\\|").replace("\n", " ")


def _bar(share: float) -> str:
    """A share drawn as a bar beside its number (the number carries the meaning)."""
    width = max(0.0, min(share, 1.0)) * 4  # rem: 100% is a 4 rem bar
    return f'<span class="lab-bar" style="width: {width:.2f}rem" aria-hidden="true"></span>'


def observed_table(recorded: RecordedLab, scenarios: list[str] | None = None) -> list[str]:
    rows = ["| Scenario | Check | Declared by the manifests | Observed on Envoy |",
            "| --- | --- | --- | --- |"]
    for scenario in recorded.scenarios:
        name = str(scenario.get("scenario"))
        if scenarios is not None and name not in scenarios:
            continue
        for check in scenario.get("checks", []):
            what = str(check.get("what", ""))
            observed = _cell(_value(what, check.get("observed")))
            if "share" in what and isinstance(check.get("observed"), float):
                observed = f"{_bar(check['observed'])} {observed}"
            if not check.get("ok"):
                observed += " (differs)"
            note = f" ({check['note']})" if check.get("note") else ""
            rows.append(f"| `{name}` | {_cell(what)} | "
                        f"{_cell(_value(what, check.get('expected')) + note)} | {observed} |")
    return rows


def lab_markdown(recorded: RecordedLab, config_link: str, config_scenario: str,
                 scenarios: list[str] | None = None) -> str:
    """The lab block of a page, as Material admonitions."""
    name = recorded.name
    body = [
        f"`deepdive lab {name}` turns the manifests of this section into the Envoy "
        "configuration istiod would generate, starts a real Envoy and small stand-ins for "
        "the sample app on 127.0.0.1, sends traffic, and compares what happens with what "
        "the manifests declare. No cluster is needed. From a clone of the repository:",
        "",
        "```bash",
        f"make lab NAME={name}",
        "```",
        "",
        f"A run recorded on {recorded.recorded_at} with Envoy {recorded.envoy_version} "
        "(the site's build refuses a recording older than its manifests or the lab's code):",
        "",
        *observed_table(recorded, scenarios),
        "",
    ]
    indented = ["    " + line if line else "" for line in body]
    blocks = ["\n".join([f'!!! example "Lab: {name}, on a real Envoy"', "", *indented]),
              config_note(config_link, config_scenario, name)]
    blocks += [extra for scenario in recorded.scenarios
               if scenarios is None or scenario.get("scenario") in scenarios
               for extra in _extras(dict(scenario.get("extra") or {}))]
    return "\n\n".join(blocks) + "\n"


def config_path(name: str, scenario: str) -> str:
    """Where the site publishes a scenario's generated Envoy configuration (site root-relative)."""
    return f"labs/{name}/{scenario}.envoy.yaml"


def config_text(config: dict[str, Any]) -> str:
    return yaml.safe_dump(config, sort_keys=False, width=88)


def config_note(link: str, scenario: str, name: str) -> str:
    """A link to the generated configuration, published beside the page as a plain file: a
    few kilobytes of YAML per lab that few readers open would otherwise weigh on every
    reader of the page (issue 13: every page under 400 KB). An HTML link, like a
    manifest's raw link: MkDocs checks Markdown links against docs/, and the file is
    written into the site after the build (macros.on_post_build)."""
    return (f'The Envoy configuration istiod would generate from these files '
            f'(<a href="{link}" class="lab-config-link">{scenario}.envoy.yaml</a>; endpoint '
            f'ports are '
            f'placeholders, and `deepdive lab {name} --config` prints every scenario).')


def _extras(extra: dict[str, Any]) -> list[str]:
    """What some labs keep beside their checks: the observability lab's per-version metrics,
    its service graph (an SVG the lab drew) and the PromQL that gives the same numbers."""
    blocks = []
    if isinstance(extra.get("metrics"), str):
        blocks.append("The metrics of that run, computed from Envoy's `/stats/prometheus`:\n\n"
                      f"```text\n{extra['metrics'].rstrip()}\n```")
    if isinstance(extra.get("svg"), str) and extra["svg"].lstrip().startswith("<svg"):
        svg = "\n".join(line for line in extra["svg"].splitlines() if line.strip())
        blocks.append('<figure class="lab-graph" role="img" aria-label="Service graph of the '
                      'recorded run: each edge labelled with its share of requests and its '
                      f'error rate">\n{svg}\n</figure>')
    if isinstance(extra.get("promql"), str):
        blocks.append("On a real mesh, Prometheus gives the same numbers from "
                      "`istio_requests_total`:\n\n"
                      f"```promql\n{extra['promql'].rstrip()}\n```")
    return blocks
