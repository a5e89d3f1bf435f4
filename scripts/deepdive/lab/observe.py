"""Envoy's /stats/prometheus -> per service and version: requests, success rate, latency;
a Kiali-style graph (SVG), and the PromQL that gives the same numbers on a real mesh."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

LINE = re.compile(r'^(\w+)\{([^}]*)\} (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class ClusterKey:
    port: int
    subset: str
    host: str

    @property
    def service(self) -> str:
        return self.host.split(".")[0]


@dataclass
class Metrics:
    requests: int = 0
    success: int = 0
    buckets: list[tuple[float, int]] = field(default_factory=list)  # (le ms, cumulative)

    def percentile(self, q: float) -> float | None:
        """The upper bound of the histogram bucket holding the q-th request (ms)."""
        total = self.buckets[-1][1] if self.buckets else 0
        for bound, cumulative in self.buckets:
            if total and cumulative >= q * total:
                return bound
        return None


def _key(name: str) -> ClusterKey | None:
    parts = name.split("|")
    if len(parts) != 4 or parts[0] != "outbound":
        return None
    return ClusterKey(int(parts[1]), parts[2], parts[3])


def from_prometheus(text: str) -> dict[ClusterKey, Metrics]:
    out: dict[ClusterKey, Metrics] = {}
    for line in text.splitlines():
        found = LINE.match(line)
        if not found:
            continue
        metric, labels_text, value = found.groups()
        labels = dict(LABEL.findall(labels_text))
        key = _key(labels.get("cluster_name", ""))
        if key is None:
            continue
        m = out.setdefault(key, Metrics())
        if metric == "envoy_cluster_upstream_rq" and "response_code_class" in labels:
            count = int(float(value))
            m.requests += count
            if labels.get("response_code_class") in ("2xx", "3xx"):
                m.success += count
        elif metric == "envoy_cluster_upstream_rq_time_bucket" and labels.get("le") != "+Inf":
            m.buckets.append((float(labels["le"]), int(float(value))))
    for m in out.values():
        m.buckets.sort()
    return {k: v for k, v in out.items() if v.requests}


def table(metrics: dict[ClusterKey, Metrics]) -> str:
    rows = ["service      version  requests  success  p50 ms  p90 ms  p99 ms"]
    for key, m in sorted(metrics.items(), key=lambda kv: (kv[0].host, kv[0].subset)):
        p = [m.percentile(q) for q in (0.5, 0.9, 0.99)]
        rows.append(f"{key.service:<12} {key.subset or '-':<8} {m.requests:>8}  "
                    f"{m.success / m.requests:>7.1%}  "
                    + "  ".join(f"{v:>6g}" if v is not None else "     -" for v in p))
    return "\n".join(rows)


def promql(service: str, namespace: str = "default") -> str:
    """The same numbers from istio_requests_total / istio_request_duration_milliseconds."""
    dest = f'destination_service="{service}.{namespace}.svc.cluster.local",reporter="source"'
    return "\n".join([
        f"sum by (destination_version) (increase(istio_requests_total{{{dest}}}[5m]))",
        f'sum by (destination_version) (rate(istio_requests_total{{{dest},'
        f'response_code!~"5.."}}[5m]))\n  / sum by (destination_version) '
        f"(rate(istio_requests_total{{{dest}}}[5m]))",
        f"histogram_quantile(0.99, sum by (destination_version, le) "
        f"(rate(istio_request_duration_milliseconds_bucket{{{dest}}}[5m])))",
    ])


def graph_svg(source: str, metrics: dict[ClusterKey, Metrics]) -> str:
    """Nodes per service and version, edges labelled with request share and error rate."""
    items = sorted(metrics.items(), key=lambda kv: (kv[0].host, kv[0].subset))
    total = sum(m.requests for _k, m in items) or 1
    height = max(120, 90 * len(items) + 30)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="560" height="{height}" '
             f'font-family="sans-serif" font-size="13">',
             f'<circle cx="70" cy="{height // 2}" r="34" fill="#e8f0fe" stroke="#1a73e8"/>',
             f'<text x="70" y="{height // 2 + 4}" text-anchor="middle">{escape(source)}</text>']
    for index, (key, m) in enumerate(items):
        y = 60 + 90 * index
        errors = 1 - m.success / m.requests
        colour = "#d93025" if errors > 0.05 else "#188038"
        name = f"{key.service} {key.subset}".strip()
        parts += [
            f'<line x1="104" y1="{height // 2}" x2="396" y2="{y}" stroke="{colour}" '
            f'stroke-width="{1 + 5 * m.requests / total:.1f}"/>',
            f'<text x="250" y="{(height // 2 + y) // 2 - 6}" text-anchor="middle">'
            f"{m.requests / total:.0%} · {errors:.1%} errors</text>",
            f'<rect x="396" y="{y - 22}" width="140" height="44" rx="8" fill="#fff" '
            f'stroke="{colour}"/>',
            f'<text x="466" y="{y + 4}" text-anchor="middle">{escape(name)}</text>']
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
