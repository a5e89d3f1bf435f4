"""Which cache folder a test session uses (tests/conftest.py): a fresh one, except when
`make mutation` names one for all its sessions."""

from __future__ import annotations

import os
import tempfile

# `make mutation` runs thousands of short sessions and names one cache for all of them
# (compiling the schemas again would be most of each mutant's time). Never while a schema
# transform is the code under mutation: one cache shared by all its mutants would hide them.
SHARED_CACHE_VARIABLE = "DEEPDIVE_TEST_SHARED_CACHE"
TRANSFORM_MODULES = ("deepdive.validate.kube.", "deepdive.validate.crds.",
                     "deepdive.validate.compiled.")


def session_cache_folder() -> str:
    shared = os.environ.get(SHARED_CACHE_VARIABLE)
    if shared and not os.environ.get("MUTANT_UNDER_TEST", "").startswith(TRANSFORM_MODULES):
        os.makedirs(shared, exist_ok=True)
        return shared
    return tempfile.mkdtemp(prefix="deepdive-test-cache-")
