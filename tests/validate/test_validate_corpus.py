"""The corpora: each bad manifest yields exactly its declared finding; good ones none;
upstream Istio samples and the site's own manifests validate clean."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from deepdive.validate.engine import Validator
from deepdive.validate.findings import Severity
from deepdive.validate.ruleids import RULES

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
SHARED = ROOT.parent / "shared"

BAD = sorted((CORPUS / "bad").glob("*.yaml"))
EXPECT = re.compile(rb"^# expect: (?P<rule>[a-z0-9-]+) line (?P<line>\d+)")
# Rules whose defect cannot live in a stored file: each has its own unit test.
COVERED_BY_UNIT_TESTS = {
    "path-not-found": "test_validate_command.py::test_missing_path_is_one_line",
    "file-unreadable": "test_validate_yamlcheck.py::test_unreadable_file",
    "file-too-large": "test_validate_yamlcheck.py::test_too_large_file",
    "schema-unavailable": "test_validate_crds.py::test_missing_crd_file_is_a_finding",
    "set-dependency-missing": "test_validate_sets.py::test_missing_dependency_is_reported",
}


def expectation(path: Path) -> tuple[str, int]:
    match = EXPECT.match(path.read_bytes())
    assert match, f"{path.name} must start with '# expect: <rule-id> line <n>'"
    return match["rule"].decode(), int(match["line"])


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_manifest_gives_exactly_its_finding(
    path: Path, validator: Validator, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    text = path.read_bytes().decode("utf-8", "replace")
    if "istio.io/" in text or "gateway.networking.k8s.io/" in text:
        request.getfixturevalue("crds_available")
    # Alone in a folder, so no other bad file joins its example set.
    shutil.copy(path, tmp_path / path.name)
    report = validator.run([tmp_path])
    found = [(f.rule, f.line) for f in report.findings]
    assert found == [expectation(path)], "\n".join(f.message for f in report.findings)


def test_every_rule_is_exercised() -> None:
    in_corpus = {expectation(path)[0] for path in BAD}
    assert in_corpus | set(COVERED_BY_UNIT_TESTS) == set(RULES)
    assert not in_corpus & set(COVERED_BY_UNIT_TESTS)


def test_unit_tests_named_for_rules_exist_and_check_them() -> None:
    """The table above is only as good as its names: each must be a test that asserts
    its rule id and a line."""
    for rule, where in COVERED_BY_UNIT_TESTS.items():
        file, name = where.split("::")
        source = (Path(__file__).parent / file).read_text(encoding="utf-8")
        body = re.search(rf"^def {name}\(.*?(?=^def |\Z)", source, re.S | re.M)
        assert body, f"{where}, named for {rule}, does not exist"
        # `.line`, a printed file:line:column, or a (rule, line) pair
        checks_position = re.search(rf'\.line\b|:\d+:\d+|"{rule}", \d+', body[0])
        assert rule in body[0] and checks_position, f"{where} does not check {rule} at a line"


def resources_in(folder: Path) -> int:
    """Resources as PyYAML alone counts them: mapping documents, List items one each."""
    total = 0
    for path in folder.rglob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict):
                total += len(document["items"]) if document.get("kind") == "List" else 1
    return total


def test_good_manifests_pass(validator: Validator, crds_available: None) -> None:
    report = validator.run([CORPUS / "good"])
    assert report.findings == []
    assert report.resources == resources_in(CORPUS / "good") > 0
    # The one declared exception is listed, with the finding it silenced.
    [exception] = report.exceptions
    assert (exception.rule, exception.suppressed) == ("image-unpinned", 1)
    assert exception.file.endswith("teaching-latest.yaml")


# Carried in the repository (with Istio's license) so every CI runs the test; the shared
# corpus beside the checkout, where present, must hold the same files.
SAMPLES = CORPUS / "istio-1.30.3-samples"
SHARED_SAMPLES = SHARED / "corpus" / "istio-1.30.3-samples"
# Upstream keeps routing rules apart from the apps they route to; these are the folders
# they are applied with (as their READMEs say), declared as example-set.txt would.
SAMPLE_DEPENDENCIES = {
    SAMPLES / "bookinfo" / "networking": [Path("../platform/kube")],
    SAMPLES / "bookinfo" / "gateway-api": [Path("../platform/kube")],
    SAMPLES / "helloworld" / "gateway-api": [Path("../helloworld.yaml")],
}
# Genuine rule breaks in the upstream samples, each with the reason it is one.
SAMPLE_EXCEPTIONS = {
    # cert-manager's own CRDs (and a long-gone certmanager.k8s.io/v1alpha1) are not
    # pinned here: a resource nobody can check is an error by design.
    ("bookinfo/platform/kube/bookinfo-certificate.yaml", "schema-missing"): 2,
    # The Service cert-manager creates for its HTTP-01 solver exists only at run time.
    ("bookinfo/networking/certmanager-gateway.yaml", "istio-host-unresolved"): 1,
    # The fault example's first route has no match, so its second route never runs.
    ("bookinfo/networking/fault-injection-details-v1.yaml", "istio-unreachable-route"): 1,
    # curl's Service only names the client for the mesh; nothing listens on port 80.
    ("curl/curl.yaml", "service-target-port"): 1,
}


def test_istio_samples_validate(validator: Validator, crds_available: None) -> None:
    report = validator.run([SAMPLES], extra_dependencies=SAMPLE_DEPENDENCIES)
    counted: dict[tuple[str, str], int] = {}
    for finding in report.findings:
        relative = Path(finding.file).resolve().relative_to(SAMPLES).as_posix()
        counted[(relative, finding.rule)] = counted.get((relative, finding.rule), 0) + 1
    assert counted == SAMPLE_EXCEPTIONS
    assert report.resources > 100


def test_the_samples_are_upstream_files_with_their_license() -> None:
    manifests = sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*.yaml"))
    assert len(manifests) == 59
    assert {name.split("/")[0] for name in manifests} == {"bookinfo", "curl", "helloworld",
                                                        "httpbin"}
    license_text = (SAMPLES / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "Istio 1.30.3" in (SAMPLES / "README.md").read_text(encoding="utf-8")
    if SHARED_SAMPLES.is_dir():  # the copy this one came from, where a checkout has it
        upstream = sorted(p.relative_to(SHARED_SAMPLES).as_posix()
                          for p in SHARED_SAMPLES.rglob("*.yaml"))
        assert manifests == upstream
        for name in manifests:
            assert (SAMPLES / name).read_bytes() == (SHARED_SAMPLES / name).read_bytes(), name


def test_site_manifests_validate_clean(validator: Validator) -> None:
    report = validator.run([ROOT / "manifests"])
    if any(f.rule == "schema-unavailable" for f in report.findings) and not os.environ.get("CI"):
        pytest.skip("manifests/ holds Istio or Gateway API resources and their CRDs are "
                    "unavailable; set DEEPDIVE_SCHEMA_DIR to a folder holding them")
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    assert errors == [], "\n".join(f"{f.file}:{f.line}: {f.rule}: {f.message}" for f in errors)
    assert report.files > 0
