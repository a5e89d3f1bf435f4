"""Compiled schemas are cached on disk under a key that names everything they depend on:
the inputs (the schema's identity and source digest) and the code that transforms them.
A change to that code must never be answered from a cache filled before it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deepdive.validate import compiled
from deepdive.validate.compiled import (
    TRANSFORM_SOURCES,
    TRANSFORM_VERSION,
    SchemaCompiler,
    transform_digest,
)
from deepdive.validate.kube import KubeSchemas

PACKAGE = Path(compiled.__file__).parent


def copy_sources(folder: Path) -> Path:
    folder.mkdir()
    for name in TRANSFORM_SOURCES:
        shutil.copy(PACKAGE / name, folder / name)
    return folder


def test_the_transform_code_is_what_builds_the_schemas() -> None:
    assert set(TRANSFORM_SOURCES) == {"compiled.py", "kube.py", "crds.py"}
    assert transform_digest(PACKAGE) == TRANSFORM_VERSION
    assert len(TRANSFORM_VERSION) == 16 and int(TRANSFORM_VERSION, 16) >= 0


@pytest.mark.parametrize("name", ["compiled.py", "kube.py", "crds.py"])
def test_any_edit_to_the_transform_code_changes_the_key(tmp_path: Path, name: str) -> None:
    folder = copy_sources(tmp_path / "code")
    before = transform_digest(folder)
    assert transform_digest(folder) == before  # stable
    path = folder / name
    path.write_text(path.read_text().replace('"required"', '"required" ', 1) + "\n# edited\n")
    assert transform_digest(folder) != before


def test_moving_code_between_the_files_changes_the_key(tmp_path: Path) -> None:
    """The digest separates the files: the same bytes split differently are another code."""
    folder = copy_sources(tmp_path / "code")
    before = transform_digest(folder)
    kube, crds = folder / "kube.py", folder / "crds.py"
    text = kube.read_text()
    kube.write_text(text[:-10])
    crds.write_text(text[-10:] + crds.read_text())
    assert transform_digest(folder) != before


def test_the_disk_cache_folder_carries_the_transform_digest(tmp_path: Path) -> None:
    compiler = SchemaCompiler(tmp_path)
    assert compiler.cache_dir.parent == tmp_path / "compiled"
    assert compiler.cache_dir.name.startswith(f"t{TRANSFORM_VERSION}-py")


def test_a_cache_written_by_other_transform_code_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same key under another transform digest compiles afresh; under the same digest
    it is read back without building."""
    built: list[str] = []

    def build(schema: dict) -> object:
        def run() -> dict:
            built.append("built")
            return schema
        return run

    strict_schema = {"type": "object", "required": ["a"]}
    SchemaCompiler(tmp_path).get("k", build(strict_schema))
    assert SchemaCompiler(tmp_path).get("k", build({})).errors({}) != []  # from disk
    assert built == ["built"]
    monkeypatch.setattr(compiled, "_CACHE_TAG", "t0000-other-code")
    loose = SchemaCompiler(tmp_path).get("k", build({"type": "object"}))
    assert built == ["built", "built"] and loose.errors({}) == []


def test_kubernetes_schema_keys_name_the_package_version_and_kind(tmp_path: Path) -> None:
    schemas = KubeSchemas(SchemaCompiler(tmp_path))
    seen: list[str] = []
    original = schemas.compiler.get

    def spy(key: str, build: object) -> object:
        seen.append(key)
        return original(key, build)  # type: ignore[arg-type]

    schemas.compiler.get = spy  # type: ignore[method-assign]
    schemas.validator("1.37", "apps/v1", "Deployment")
    assert seen == [f"k8s:{schemas.package_version}:1.37:apps/v1:Deployment"]


# --- the test sessions' cache folder (tests/conftest.py) ----------------------------------
@pytest.mark.parametrize(("mutant", "shared"), [
    ("", True),
    ("deepdive.validate.rules.istio.x_host_matches__mutmut_3", True),
    ("deepdive.facts.qos.x_qos_class__mutmut_1", True),
    ("deepdive.validate.kube.x_strict__mutmut_2", False),
    ("deepdive.validate.crds.x_convert_crds__mutmut_7", False),
    ("deepdive.validate.compiled.x_compile__mutmut_1", False),
])
def test_a_shared_cache_is_never_used_while_a_transform_is_mutated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mutant: str, shared: bool
) -> None:
    """`make mutation` names one cache for its thousands of sessions; a schema transform's
    mutants must each compile afresh, or the cache filled by the first would hide the rest."""
    from session_cache import SHARED_CACHE_VARIABLE, TRANSFORM_MODULES, session_cache_folder

    assert {f"deepdive.validate.{name.removesuffix('.py')}." for name in TRANSFORM_SOURCES} \
        <= set(TRANSFORM_MODULES)
    monkeypatch.setenv(SHARED_CACHE_VARIABLE, str(tmp_path / "shared"))
    monkeypatch.setenv("MUTANT_UNDER_TEST", mutant)
    folder = session_cache_folder()
    try:
        assert (folder == str(tmp_path / "shared")) is shared
    finally:
        if not shared:
            shutil.rmtree(folder)


def test_without_a_shared_cache_each_session_gets_a_new_folder(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from session_cache import SHARED_CACHE_VARIABLE, session_cache_folder

    monkeypatch.delenv(SHARED_CACHE_VARIABLE, raising=False)
    first, second = session_cache_folder(), session_cache_folder()
    try:
        assert first != second and not any(Path(first).iterdir())
    finally:
        shutil.rmtree(first)
        shutil.rmtree(second)


def test_every_remembered_string_check_is_asked_afresh_in_each_test() -> None:
    """The autouse fixture in tests/validate/conftest.py must reach the memoized checks, or a
    mutant in one would be answered from the clean run's memory and survive."""
    from conftest import remembered_checks
    from deepdive.validate.rules import apiserver, kubernetes

    found = remembered_checks()
    for check in (apiserver.is_dns1123_label, apiserver.is_label_key,
                  apiserver.is_config_map_key, apiserver.is_valid_percent):
        assert check in found
    assert any(getattr(check, "__module__", "") == kubernetes.__name__ for check in found)
