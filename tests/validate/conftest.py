"""Validator fixtures. tests/conftest.py makes the run offline: CRDs come from
DEEPDIVE_SCHEMA_DIR or ../shared/schemas; when neither is there and nothing is cached,
downloads are forbidden and the tests that need the CRDs skip, saying why (fail, in CI)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import pytest

from deepdive.validate.crds import SOURCES, SchemaSourceError
from deepdive.validate.engine import Validator


@pytest.fixture(scope="session")
def validator() -> Validator:
    """One validator for the run: schemas compile (or load from cache) once."""
    return Validator()


@pytest.fixture(scope="session")
def crds_available(validator: Validator) -> None:
    try:
        for source in SOURCES:
            validator.crds.load(source)
    except SchemaSourceError as error:
        reason = (f"Istio / Gateway API CRDs unavailable ({error}); "
                  "set DEEPDIVE_SCHEMA_DIR to a folder holding them")
        if os.environ.get("CI"):  # every Istio rule test would pass by skipping
            pytest.fail(f"{reason} (CI is set, so this cannot be skipped)")
        pytest.skip(reason)


def remembered_checks() -> list[Callable[..., object]]:
    """Every function of the validator that remembers its answers (functools caches)."""
    modules = [module for name, module in list(sys.modules.items())
               if name.startswith("deepdive.validate.") and module is not None]
    return [value for module in modules for value in vars(module).values()
            if callable(value) and hasattr(value, "cache_clear")]


@pytest.fixture(autouse=True)
def answers_afresh() -> None:
    """The string checks remember their answers for the whole process; each test asks them
    afresh, so an answer remembered from an earlier test (or, under `make mutation`, from
    the clean run before the mutant was switched on) cannot stand in for its own."""
    for check in remembered_checks():
        check.cache_clear()  # type: ignore[attr-defined]
