"""Validator tests run offline: CRDs come from DEEPDIVE_SCHEMA_DIR or ../shared/schemas.

When neither is there and nothing is cached, downloads are forbidden (DEEPDIVE_OFFLINE)
and the tests that need the Istio / Gateway API CRDs skip with a message saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deepdive.validate.crds import SOURCES, SchemaSourceError
from deepdive.validate.engine import Validator

SHARED = Path(__file__).resolve().parents[3] / "shared"

if not os.environ.get("DEEPDIVE_SCHEMA_DIR") and (SHARED / "schemas").is_dir():
    os.environ["DEEPDIVE_SCHEMA_DIR"] = str(SHARED / "schemas")
os.environ.setdefault("DEEPDIVE_OFFLINE", "1")  # a test never downloads from the internet


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
