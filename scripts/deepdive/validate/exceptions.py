"""File-level exceptions: `# deepdive:allow <rule-id> <reason>` on a comment line.

A teaching example that breaks a rule on purpose says so in the file itself; the
exception covers that rule for every resource of the file, and the report lists it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deepdive.validate.findings import AllowedException, Finding
from deepdive.validate.ruleids import RULES, allowable

_ALLOW = re.compile(r"^\s*#\s*deepdive:allow\b[ \t]*(?P<rule>\S*)[ \t]*(?P<reason>.*?)\s*$")


@dataclass
class FileExceptions:
    declared: list[AllowedException]
    findings: list[Finding]  # malformed declarations


def parse_exceptions(file: str, text: str) -> FileExceptions:
    declared: list[AllowedException] = []
    problems: list[Finding] = []
    if "deepdive:allow" not in text:
        return FileExceptions(declared, problems)
    for number, line in enumerate(text.splitlines(), start=1):
        match = _ALLOW.match(line)
        if match is None:
            continue
        rule, reason = match["rule"], match["reason"]
        problem = ""
        if rule not in RULES:
            problem = f"unknown rule id {rule!r}" if rule else "no rule id"
        elif not allowable(rule):
            problem = f"{rule} cannot be allowed: the manifest would not work"
        elif not reason:
            problem = f"give a reason: # deepdive:allow {rule} <why this example breaks it>"
        if problem:
            problems.append(Finding(file, number, 1, "exception-malformed", problem))
        else:
            declared.append(AllowedException(file, number, rule, reason))
    return FileExceptions(declared, problems)
