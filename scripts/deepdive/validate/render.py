"""Findings for people (one line each, then a summary) and for machines (JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict

from deepdive.validate.findings import Finding, Report

# Control characters written as escapes: a key or file name with a newline in it must not
# split a finding over two lines (every consumer reads one finding per line).
_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(32), 127, 0x85)} | {
    ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r", 0x2028: "\\u2028",
    0x2029: "\\u2029"}


def one_line(text: str) -> str:
    return text.translate(_ESCAPES)


def finding_line(finding: Finding) -> str:
    """file:line:column: severity rule-id kind/name field.path: message"""
    where = " ".join(part for part in (finding.resource, finding.field) if part)
    subject = f" {where}" if where else ""
    return one_line(
        f"{finding.file}:{finding.line}:{finding.column}: {finding.severity.value} "
        f"{finding.rule}{subject}: {finding.message}"
    )


def summary_line(report: Report) -> str:
    versions = ", ".join(report.versions) or "none"
    return (
        f"{report.files} files, {report.resources} resources, Kubernetes {versions}: "
        f"{report.errors} errors, {report.warnings} warnings, "
        f"{len(report.exceptions)} exceptions, {report.seconds:.2f}s"
    )


def render_text(report: Report) -> str:
    lines = [finding_line(finding) for finding in report.findings]
    lines += [
        one_line(f"{e.file}:{e.line}: exception {e.rule} ({e.suppressed} suppressed): {e.reason}")
        for e in report.exceptions
    ]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    payload = {
        "findings": [
            {**asdict(finding), "severity": finding.severity.value} for finding in report.findings
        ],
        "exceptions": [asdict(exception) for exception in report.exceptions],
        "summary": {
            "files": report.files,
            "resources": report.resources,
            "kubernetes_versions": list(report.versions),
            "errors": report.errors,
            "warnings": report.warnings,
            "exceptions": len(report.exceptions),
            "seconds": round(report.seconds, 3),
        },
    }
    return json.dumps(payload, indent=2) + "\n"
