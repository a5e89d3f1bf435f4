"""The Istio half as a reader meets it: current APIs only, both API tabs where the Gateway
API applies, named Try it sections, and the numbers the pages state about traffic.

The facts code is tested on its own (test_facts_istio.py); here the values a reader relies
on are written out, so that a wrong computation cannot pass by agreeing with itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deepdive.manifests import load_file
from test_site import MANIFESTS, Element, parse_html, rendered_embeds

ISTIO_PAGES = ["index", "architecture", "envoy", "traffic-management", "resilience", "ingress",
               "egress", "observability"]
CURRENT_APIS = {"networking.istio.io/v1", "telemetry.istio.io/v1",
                "gateway.networking.k8s.io/v1", "v1", "apps/v1"}


def html_file(built_site: Path, name: str) -> Path:
    folder = built_site / "istio"
    return (folder if name == "index" else folder / name) / "index.html"


def page(built_site: Path, name: str) -> Element:
    return parse_html(html_file(built_site, name).read_text(encoding="utf-8"))


def text_of(built_site: Path, name: str) -> str:
    return re.sub(r"\s+", " ", page(built_site, name).text)


def test_istio_manifests_use_only_current_apis() -> None:
    found = {document.api_version
             for path in sorted((MANIFESTS / "istio").rglob("*.yaml"))
             for document in load_file(path).documents}
    assert found <= CURRENT_APIS, f"older API versions: {sorted(found - CURRENT_APIS)}"


@pytest.mark.parametrize("name", ISTIO_PAGES)
def test_every_try_it_heading_says_what_it_tries(built_site: Path, name: str) -> None:
    headings = [h for h in page(built_site, name).iter()
                if h.tag in {"h2", "h3", "h4"} and h.attrs.get("id", "").startswith("try-it")]
    assert headings, f"istio/{name} has no Try it"
    for heading in headings:
        title = heading.text.replace("¶", "").strip()
        assert re.fullmatch(r"Try it: \S.{8,}", title), f"istio/{name}: heading {title!r}"


@pytest.mark.parametrize(("name", "minimum"), [("traffic-management", 4), ("ingress", 2)])
def test_gateway_api_tabs_pair_each_istio_manifest(built_site: Path, name: str,
                                                   minimum: int) -> None:
    """Where the Gateway API applies, each tab set offers both APIs, each with a manifest."""
    tab_sets = [s for s in page(built_site, name).find_all("div", "tabbed-set")
                if "Gateway API" in [label.text.strip() for label in s.find_all("label")]]
    assert len(tab_sets) >= minimum
    for tab_set in tab_sets:
        labels = [label.text.strip() for label in tab_set.find_all("label")]
        assert labels == ["Istio APIs", "Gateway API"], labels
        blocks = tab_set.find_all("div", "tabbed-block")
        assert len(blocks) == 2
        titles = [[span.text for span in block.find_all("span", "filename")]
                  for block in blocks]
        if name == "traffic-management":  # the ingress tabs also pair the commands
            assert all(t and t[0].startswith("manifests/istio/") for t in titles), titles
            assert any("virtual-service" in t for t in titles[0]), titles
            assert any("httproute" in t for t in titles[1]), titles


def test_every_istio_manifest_block_is_embedded_by_an_istio_page(built_site: Path) -> None:
    shown = {e.relative for name in ISTIO_PAGES
             for e in rendered_embeds(html_file(built_site, name))}
    files = {p.relative_to(MANIFESTS).as_posix() for p in (MANIFESTS / "istio").rglob("*.yaml")}
    assert files <= shown, sorted(files - shown)


# The numbers below are written out from the manifests by hand on purpose (see the module
# docstring); each names the manifest it comes from.

def test_traffic_shifting_shares_and_ranges(built_site: Path) -> None:
    text = text_of(built_site, "traffic-management")
    # virtual-service-90-10.yaml: weights 90 and 10 of 100 requests, exact binomial tails
    assert "`helloworld v1` 90%, `helloworld v2` 10%" not in text  # rendered, not Markdown
    assert "helloworld v1 90%, helloworld v2 10%" in text
    assert "v1 gets between 80 and 98 of 100 answers and v2 between 2 and 20" in text
    # virtual-service-50-50.yaml: 100 requests at 1/2
    assert "v1 now gets between 35 and 65" in text
    # virtual-service-80-20.yaml: 20 TCP connections at 4/5
    assert "tcp-echo v1:9000 80%, tcp-echo v2:9000 20%" in text
    assert "between 10 and 20 of the 20 connections" in text
    # the subsets' clusters as istiod names them
    assert "outbound|5000|v2|helloworld.default.svc.cluster.local" in text


def test_request_routing_sends_the_tester_to_v2(built_site: Path) -> None:
    text = text_of(built_site, "traffic-management")
    assert "header end-user is tester" in text
    assert text.count("Hello version: v2, instance: helloworld-v2-") >= 5


def test_resilience_numbers(built_site: Path) -> None:
    text = text_of(built_site, "resilience")
    # virtual-service-retries.yaml: 3 retries of 1 s, timeout 5 s; back-off 25+75+175 ms
    assert "a caller waits at most 4.275 s (4 \u00d7 1 s plus up to 275 ms of back-off" in text
    # virtual-service-timeout.yaml: 2 s, and Istio's default of 2 retries
    assert "timeout 2 s; Istio's default retry policy: up to 2 retries (3 tries)" in text
    # virtual-service-delay.yaml: 50% delayed by 2 s; abort: 20% answered 503
    assert "50% of requests wait 2 s before they are forwarded" in text
    assert "20% are answered 503" in text
    # circuit-breaking/destination-rule.yaml: maxConnections 1, but one connection to each of
    # httpbin's 3 pods (observed by the circuit-breaking lab), + 1 pending = 4 in flight
    assert "holds at most 3 connections (one per pod" in text
    assert "from about request 5 in flight at the same moment" in text
    # outlier-detection/destination-rule.yaml with httpbin's 3 replicas at 50%: 1
    assert "Of the 3 pods behind httpbin in this example, at most 1 can be ejected" in text
    assert "10% of fewer than 10" not in text or "never ejects any" in text


def test_no_istio_page_is_a_placeholder(built_site: Path) -> None:
    for name in ISTIO_PAGES:
        assert "This page is being written" not in text_of(built_site, name), name
        assert len(text_of(built_site, name).split()) > 800, f"istio/{name} is too short"
