"""Where the project's files live, found from the package or the working directory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def project_root() -> Path:
    """The checkout's root: the nearest folder above the cwd (or this package) with mkdocs.yml."""
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            if (folder / "mkdocs.yml").is_file() and (folder / "manifests").is_dir():
                return folder
    return Path.cwd()


def config_root(config: Mapping[str, Any]) -> Path:
    """The folder of the mkdocs.yml a build reads (its docs/ and manifests/ sit beside it)."""
    return Path(config["config_file_path"]).resolve().parent
