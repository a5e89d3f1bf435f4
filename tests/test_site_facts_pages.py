"""The built pages state the facts pinned in test_site_facts.py (written out by hand from the
manifests): next to each manifest, and in the prose that quotes them."""

from __future__ import annotations

import re
from pathlib import Path

from test_site import rendered_embeds
from test_site_facts import POD_NAMES, QOS, QOS_REASONS, ROLLOUT

# --- what the built pages say next to each manifest ------------------------------------------

def shown_titles(built_site: Path) -> dict[str, set[str]]:
    """Facts-box titles shown after each manifest, over every page that embeds it."""
    shown: dict[str, set[str]] = {}
    for page in sorted(built_site.rglob("index.html")):
        for found in rendered_embeds(page):
            shown.setdefault(found.relative, set()).update(found.admonition_titles)
    return shown


def test_the_pages_show_the_pinned_qos_classes(built_site: Path) -> None:
    shown = shown_titles(built_site)
    for path, qos in QOS.items():
        classes = {t for t in shown.get(path, set()) if t.startswith("QoS class:")}
        assert classes <= {f"QoS class: {qos}"}, (path, classes)
    for path in ("kubernetes/pods/qos-guaranteed.yaml", "kubernetes/pods/qos-burstable.yaml",
                 "kubernetes/pods/qos-besteffort.yaml"):
        assert f"QoS class: {QOS[path]}" in shown[path], path


def test_the_pods_page_says_why_a_pod_is_not_guaranteed(built_site: Path) -> None:
    page = (built_site / "kubernetes" / "pods" / "index.html").read_text("utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    for reasons in QOS_REASONS.values():
        if reasons:
            assert f"Not Guaranteed because {'; '.join(reasons)}." in text, reasons


def boxes(built_site: Path, path: str, title: str) -> list[str]:
    """The text of every facts box titled `title...` shown after the manifest `path`."""
    found = []
    for page in sorted(built_site.rglob("index.html")):
        for embed in rendered_embeds(page):
            if embed.relative != path:
                continue
            for box in embed.admonitions:
                text = " ".join(box.text.split())
                if text.startswith(title):
                    found.append(text)
    return found


def test_the_pages_show_the_pinned_rollout_bounds(built_site: Path) -> None:
    shown = shown_titles(built_site)
    for path, (replicas, *_rest) in ROLLOUT.items():
        titles = {t for t in shown.get(path, set()) if t.startswith("Rollout bounds:")}
        plural = "replica" if replicas == 1 else "replicas"
        assert titles <= {f"Rollout bounds: {replicas} {plural}"}, (path, titles)
    for path, (*_, most, fewest) in ROLLOUT.items():
        for text in boxes(built_site, path, "Rollout bounds:"):
            assert f"at most {most} pods exist" in text, (path, text)
            assert f"at least {fewest} stay available" in text, (path, text)
    percent = "kubernetes/deployments/ramped/web-ramped-percent.yaml"
    assert boxes(built_site, percent, "Rollout bounds:"), "the percent example shows its bounds"


def test_the_statefulset_page_names_the_pinned_pods(built_site: Path) -> None:
    text = (built_site / "kubernetes" / "statefulsets" / "index.html").read_text("utf-8")
    for names in POD_NAMES.values():
        assert names[0] in text and names[-1] in text, names
