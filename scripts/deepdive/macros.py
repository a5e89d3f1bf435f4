"""mkdocs-macros module: the one way a page shows a manifest.

    {{ manifest("kubernetes/pods/qos-guaranteed.yaml") }}

renders the file (path as title, copy button), a link to the raw file, the
`kubectl apply -f` line and the facts computed from it. `facts(path)` gives
the same facts to prose: {{ facts("kubernetes/pods/qos-burstable.yaml").qos.qos_class }}.
A missing, unparsable or invalid file fails the build.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from mkdocs_macros.errors import format_error

from deepdive.embed import EmbedError, ManifestEmbed, load_embed, page_prefix
from deepdive.facts.canary import TrafficShare, traffic_share
from deepdive.facts.istio import (
    RouteTable,
    TrafficPolicy,
    cluster_name,
    format_seconds,
    format_share,
    likely_counts,
)
from deepdive.facts.istio_defaults import DEFAULTS as ISTIO_DEFAULTS
from deepdive.facts.probes import DEFAULTS as PROBE_DEFAULTS
from deepdive.facts.service import (
    EndpointSliceFacts,
    ServiceFacts,
    endpointslice_facts,
    resolve_target_port,
    service_facts,
)
from deepdive.facts.statefulset import StatefulSetFacts, statefulset_facts
from deepdive.paths import config_root
from deepdive.validate.buildcheck import check_manifests
from deepdive.workloads import containers, pod_template

MANIFESTS = "manifests"
# The generated Envoy configuration of every lab block of the build, by site path: the
# pages link to these files and on_post_build writes them.
LAB_CONFIGS: dict[str, str] = {}


def _page_error(error: EmbedError, markdown: str, page: Any) -> str:
    """A page that asks for something that cannot be shown fails the build with one line
    naming the page and the reason (mkdocs-macros prints a traceback for other errors)."""
    return f"{page.file.src_path}: {error}"


format_error.register(EmbedError, _page_error)


def define_env(env: Any) -> None:
    LAB_CONFIGS.clear()  # `mkdocs serve` defines the environment again on each rebuild
    root = config_root(env.conf)
    manifests_root = root / MANIFESTS
    check_manifests(manifests_root)  # any invalid manifest fails the build, shown or not
    cache: dict[str, ManifestEmbed] = {}
    site_url = str(env.conf.get("site_url") or "")

    def embed(path: str) -> ManifestEmbed:
        if path not in cache:
            cache[path] = load_embed(manifests_root, path)
        return cache[path]

    @env.macro
    def manifest(path: str, facts: bool | str = True, apply: bool = True,
                 differs_from: str = "") -> str:
        """A manifest file as a titled code block, with raw link, apply line and facts
        (all of them, none with facts=False, or some: facts="probes", "qos,rollout").
        differs_from="other.yaml" highlights the lines that differ from that manifest."""
        page_url = env.page.url if env.page is not None else ""
        shown = embed(path)
        highlight = shown.changed_lines(embed(differs_from)) if differs_from else None
        return shown.markdown(page_prefix(page_url), with_facts=facts, with_apply=apply,
                              site_url=site_url, highlight=highlight)

    def facts_of(path: str, name: str | None = None, kind: str | None = None) -> Any:
        """The computed facts of one resource of a manifest (the first, or the one named,
        of a kind if given: facts(path, "httpbin", kind="Deployment"))."""
        return embed(path).facts(name, kind)

    env.macro(facts_of, "facts")

    @env.macro
    def manifest_path(path: str) -> str:
        """The path a reader uses with kubectl: manifests/<path>, checked to exist."""
        return embed(path).repo_path

    @env.macro
    def canary_traffic(stable: str, canary: str) -> TrafficShare:
        """The canary's share of one Service's traffic, from two Deployments' replicas."""
        return traffic_share(embed(stable).facts().replicas, embed(canary).facts().replicas)

    @env.macro
    def statefulset(path: str, name: str | None = None) -> StatefulSetFacts:
        """Pod names, DNS names, claims and update order of a manifest's StatefulSet."""
        return statefulset_facts(embed(path).document("StatefulSet", name).data)

    @env.macro
    def service(path: str, name: str | None = None) -> ServiceFacts:
        """Type, DNS name and ports (defaults filled in) of a manifest's Service."""
        return service_facts(embed(path).document("Service", name).data)

    @env.macro
    def endpointslice(path: str, name: str | None = None) -> EndpointSliceFacts:
        """Addresses, ports and owning Service of a manifest's EndpointSlice."""
        return endpointslice_facts(embed(path).document("EndpointSlice", name).data)

    @env.macro
    def target_port(service_path: str, port_name: str | None, workload_path: str) -> int:
        """The container port number a Service port reaches on a workload's pods."""
        port = service(service_path).port(port_name)
        for document in embed(workload_path).loaded.documents:
            template = pod_template(document)
            if template is not None:
                return resolve_target_port(port, (c for _, _, c in containers(template.spec)))
        raise EmbedError(f"manifests/{workload_path}: no pod template")

    def istio_facts_of(path: str, name: str | None) -> Any:
        facts = embed(path).facts(name).istio
        if facts is None:
            raise EmbedError(f"manifests/{path}: no VirtualService, HTTPRoute or DestinationRule"
                             + (f" named {name!r}" if name else ""))
        return facts

    @env.macro
    def routes(path: str, name: str | None = None) -> RouteTable:
        """The route table of a VirtualService or HTTPRoute: rules in order, shares, faults,
        timeouts and retries (routes(path).share("v2"), routes(path).rule(0).wait.worst_case)."""
        table = istio_facts_of(path, name).routes
        if table is None:
            raise EmbedError(f"manifests/{path}: not a VirtualService or HTTPRoute")
        return table

    @env.macro
    def traffic_policy(path: str, name: str | None = None) -> TrafficPolicy:
        """Subsets, load balancing, circuit-breaker limits and outlier detection of a
        DestinationRule, with pod counts from its example set."""
        policy = istio_facts_of(path, name).policy
        if policy is None:
            raise EmbedError(f"manifests/{path}: not a DestinationRule")
        return policy

    @env.macro
    def manifest_url(path: str) -> str:
        """Where the site publishes a manifest, for `kubectl apply -f <url>` without a clone."""
        return embed(path).url(site_url)

    @env.macro
    def lab(name: str, scenarios: str = "", config: str = "") -> str:
        """A lab's block: how to run it, the recorded run (stale or missing fails the build)
        and a link to the generated Envoy configuration of one scenario, published beside
        the page. `scenarios` limits the table
        ("a,b"); `config` names the scenario whose configuration is shown (default: the
        first shown)."""
        from deepdive.lab.catalog import find
        from deepdive.lab.fields import LabError
        from deepdive.lab.session import preview_config
        from deepdive.lab_pages import config_path, config_text, lab_markdown
        from deepdive.lab_results import LabResultError, inputs_digest, read_recorded

        try:
            found = find(name)
            chosen = [s.strip() for s in scenarios.split(",") if s.strip()] or None
            known = [s.name for s in found.scenarios]
            for wanted in [*(chosen or []), *([config] if config else [])]:
                if wanted not in known:
                    raise LabError(f"lab {name} has no scenario {wanted!r} ({', '.join(known)})")
            shown = config or (chosen or known)[0]
            recorded = read_recorded(name, inputs_digest(found.files, manifests_root), root)
            generated = preview_config(root, next(s for s in found.scenarios
                                                  if s.name == shown))
        except (LabError, LabResultError) as error:
            raise EmbedError(f"lab({name!r}): {error}") from None
        published = config_path(name, shown)
        LAB_CONFIGS[published] = config_text(generated.get("static_resources", generated))
        page_url = env.page.url if env.page is not None else ""
        return lab_markdown(recorded, page_prefix(page_url) + published, shown, chosen)

    env.macro(cluster_name, "istio_cluster")
    env.macro(likely_counts)
    env.macro(format_share, "percent")
    env.macro(format_seconds, "seconds")
    env.variables["EmbedError"] = EmbedError
    # Istio's defaults, each with its source, for the pages that state one.
    env.variables["istio_defaults"] = ISTIO_DEFAULTS
    # The defaults the probe timelines are computed with, for the page that lists them.
    env.variables["probe_defaults"] = dict(PROBE_DEFAULTS)


def on_post_build(env: Any) -> None:
    """Serve manifests/ as plain files, so every raw link and `curl` works on the site, and
    publish the Envoy configuration each lab block links to."""
    root = config_root(env.conf)
    site = Path(env.conf["site_dir"])
    target = site / MANIFESTS
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(root / MANIFESTS, target)
    for relative, text in LAB_CONFIGS.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
