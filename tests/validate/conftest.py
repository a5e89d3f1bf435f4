"""Validator fixtures. tests/conftest.py makes the run offline: CRDs come from
DEEPDIVE_SCHEMA_DIR or ../shared/schemas; when neither is there and nothing is cached,
downloads are forbidden and the tests that need the CRDs skip, saying why."""

from __future__ import annotations

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
        pytest.skip(f"Istio / Gateway API CRDs unavailable ({error}); "
                    "set DEEPDIVE_SCHEMA_DIR to a folder holding them")
