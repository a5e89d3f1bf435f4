"""Schema validators compiled once and reused: in memory per run, on disk across runs.

fastjsonschema turns a JSON schema into Python code that validates a valid resource in
microseconds but stops at the first error; jsonschema lists every error but is slow.
So valid resources take the fast path, and only an invalid one pays for the full list.
The generated code is cached on disk as a marshalled code object, so a cold start skips
both code generation and Python compilation.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fastjsonschema

if TYPE_CHECKING:  # jsonschema loads only when a resource is invalid (it takes 30 ms)
    import jsonschema

# The code that turns kubernetes-validate's schemas and the CRDs into the strict schemas
# cached on disk. Every cache key holds a digest of these files, so an edit to any of them
# (a dropped keyword, a new rule for `items`) is never hidden by schemas built before it.
TRANSFORM_SOURCES = ("compiled.py", "kube.py", "crds.py")


def transform_digest(folder: Path = Path(__file__).parent) -> str:
    """sha256 (shortened) of the transform code: the files TRANSFORM_SOURCES names."""
    digest = hashlib.sha256()
    for name in TRANSFORM_SOURCES:
        digest.update(f"{name}\0".encode())
        digest.update((folder / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


TRANSFORM_VERSION = transform_digest()
_CACHE_TAG = (
    f"t{TRANSFORM_VERSION}-py{sys.version_info[0]}{sys.version_info[1]}"
    f"-fjs{fastjsonschema.VERSION}"
)


def cache_root() -> Path:
    """DEEPDIVE_CACHE_DIR, else $XDG_CACHE_HOME/deepdive, else ~/.cache/deepdive."""
    if os.environ.get("DEEPDIVE_CACHE_DIR"):
        return Path(os.environ["DEEPDIVE_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "deepdive"


def write_atomically(path: Path, payload: bytes) -> None:
    """Write whole or not at all (parallel runs may race); a read-only cache is no error."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


@dataclass
class CompiledSchema:
    """A strict schema with its fast validator; `errors` returns every error."""

    digest: str  # sha256 of the schema: equal schemas share one validator
    code: Any  # the module code object that defines `validate` (what the disk cache keeps)
    fast: Callable[[Any], Any]
    load_schema: Callable[[], dict[str, Any]]
    _full: jsonschema.Draft7Validator | None = field(default=None, repr=False)

    def errors(self, data: Any) -> list[jsonschema.ValidationError]:
        try:
            self.fast(data)
            return []
        except fastjsonschema.JsonSchemaValueException as fast_error:
            if self._full is None:
                import jsonschema

                try:
                    self._full = jsonschema.Draft7Validator(self.load_schema())
                except (OSError, ValueError):
                    return [_from_fast(fast_error)]
            found = list(self._full.iter_errors(data))
            return found or [_from_fast(fast_error)]


def _from_fast(error: fastjsonschema.JsonSchemaValueException) -> jsonschema.ValidationError:
    """The rare case where only fastjsonschema objects: keep its one message."""
    import jsonschema

    path = list(error.path or [])[1:]  # drop fastjsonschema's leading "data"
    message = str(error.message).replace("data.", "", 1).replace("data ", "", 1)
    return jsonschema.ValidationError(message, path=path, validator="fast")


class SchemaCompiler:
    """Compile schemas by key; a key names what the schema is (k8s:1.37:apps/v1:Deployment)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = (cache_dir or cache_root()) / "compiled" / _CACHE_TAG
        self._by_key: dict[str, CompiledSchema] = {}
        self._by_digest: dict[str, CompiledSchema] = {}

    def get(self, key: str, build: Callable[[], dict[str, Any]]) -> CompiledSchema:
        if key in self._by_key:
            return self._by_key[key]
        name = hashlib.sha256(key.encode()).hexdigest()[:32]
        code_file = self.cache_dir / f"{name}.code"
        schema_file = self.cache_dir / f"{name}.json"
        compiled = self._load(code_file, schema_file)
        if compiled is None:
            compiled = self._compile(build(), code_file, schema_file)
        self._by_key[key] = compiled
        return compiled

    def _load(self, code_file: Path, schema_file: Path) -> CompiledSchema | None:
        try:
            digest, code = marshal.loads(code_file.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return None
        if digest in self._by_digest:
            return self._by_digest[digest]
        namespace: dict[str, Any] = {}
        exec(code, namespace)  # our own generated code, from our own cache
        compiled = CompiledSchema(digest, code, namespace["validate"], _json_reader(schema_file))
        self._by_digest[digest] = compiled
        return compiled

    def _compile(
        self, schema: dict[str, Any], code_file: Path, schema_file: Path
    ) -> CompiledSchema:
        text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(text.encode()).hexdigest()
        compiled = self._by_digest.get(digest)
        if compiled is None:
            source = fastjsonschema.compile_to_code(schema)
            code = compile(source, f"<schema {digest[:12]}>", "exec")
            namespace: dict[str, Any] = {}
            exec(code, namespace)
            compiled = CompiledSchema(digest, code, namespace["validate"], lambda: schema)
            self._by_digest[digest] = compiled
        write_atomically(schema_file, text.encode())
        write_atomically(code_file, marshal.dumps((digest, compiled.code)))
        return compiled


def _json_reader(path: Path) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        return json.loads(path.read_text())

    return read
