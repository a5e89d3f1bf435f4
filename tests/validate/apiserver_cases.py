"""Shared by the api-* rule tests: run the validator on one case and read its api-* findings."""

from __future__ import annotations

from pathlib import Path

from deepdive.validate.engine import Validator
from deepdive.validate.findings import Finding

PAUSE = "registry.k8s.io/pause:3.10"


def api_findings(validator: Validator, tmp_path: Path, text: str) -> list[Finding]:
    """The api-* findings; a case the schema (or YAML) refuses would prove nothing."""
    (tmp_path / "case.yaml").write_text(text, encoding="utf-8")
    report = validator.run([tmp_path])
    assert not [f for f in report.findings if f.rule.startswith(("schema-", "yaml-"))], \
        report.findings
    return [f for f in report.findings if f.rule.startswith("api-")]


def rejects(validator: Validator, tmp_path: Path, text: str, rule: str, kind: str) -> Finding:
    """Exactly one api-* finding: `rule`, on the line marked `# <`, of the given kind."""
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.endswith("# <"))
    findings = api_findings(validator, tmp_path, text)
    assert [(f.rule, f.line) for f in findings] == [(rule, line)], findings
    assert findings[0].message.startswith(kind), findings[0].message
    return findings[0]
