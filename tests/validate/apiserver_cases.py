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


# The API server's kinds of error (field.ErrorType.String()); an expectation that is only a
# kind is still accepted while cases move to exact messages.
ERROR_KINDS = ("Invalid value", "Duplicate value", "Required value", "Unsupported value",
               "Forbidden", "Not found", "Too long", "Too many", "Internal error")


def printed(finding: Finding) -> str:
    """The field and message as the API server (and `deepdive validate`) writes them."""
    return f"{finding.field}: {finding.message}"


def marked_line(text: str) -> int:
    """The line a case marks with a trailing `# <`: where its finding must point."""
    return next(n for n, row in enumerate(text.splitlines(), 1) if row.endswith("# <"))


def rejects(validator: Validator, tmp_path: Path, text: str, rule: str, expected: str) -> Finding:
    """Exactly one api-* finding: `rule`, on the line marked `# <`, that reads `expected` as
    `deepdive validate` prints it after the resource: `field.path: Kind: detail`."""
    line = marked_line(text)
    findings = api_findings(validator, tmp_path, text)
    assert [(f.rule, f.line) for f in findings] == [(rule, line)], findings
    if any(kind.startswith(expected) or expected.startswith(kind) for kind in ERROR_KINDS):
        assert findings[0].message.startswith(expected), findings[0].message
    else:
        assert printed(findings[0]) == expected, printed(findings[0])
    return findings[0]
