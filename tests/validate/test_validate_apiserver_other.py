"""The API server's validation of ConfigMap and Secret data, PersistentVolumeClaims, Ingresses,
HorizontalPodAutoscalers, PodDisruptionBudgets and EndpointSlices (rules/apiserver_other.py):
each check's boundary (the last value accepted, the first refused) and every branch, with the
finding as `deepdive validate` prints it (`field.path: Kind: detail`) and the line it points at.

A rejected case marks that line with `# <` when it holds one finding; a case with several
findings lists each as (line, printed finding)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from apiserver_cases import api_findings, marked_line, printed, rejects

from deepdive.validate.engine import Validator

MIB = 1024 * 1024
CONFIG_KEY = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
              "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
              "'[-._a-zA-Z0-9]+')")
SUBDOMAIN = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
             "'-' or '.', and must start and end with an alphanumeric character (e.g. "
             "'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
         "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
         "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def resource(api_version: str, kind: str, body: str, metadata: str = "") -> str:
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n{metadata}{body}"


def found(validator: Validator, tmp_path: Path, text: str) -> list[tuple[int, str, str]]:
    """Every api-* finding as (line, rule, printed), in a stable order (findings on one line
    with the same message may come in either order)."""
    return sorted((f.line, f.rule, printed(f)) for f in api_findings(validator, tmp_path, text))


def line(text: str, needle: str) -> int:
    """The number of the first line of `text` that holds `needle`."""
    return next(n for n, row in enumerate(text.splitlines(), 1) if needle in row)


def b64(size: int) -> str:
    return base64.b64encode(b"x" * size).decode()


# --- api-config-data: ConfigMap (ValidateConfigMap) ---------------------------------------------
def config_map(body: str) -> str:
    return resource("v1", "ConfigMap", body)


def secret(body: str, metadata: str = "") -> str:
    return resource("v1", "Secret", body, metadata)


@pytest.mark.parametrize(("text", "expected"), [
    (config_map("data:\n  a/b: x # <\n"), f'data.a/b: Invalid value: "a/b": {CONFIG_KEY}'),
    (config_map("binaryData:\n  a b: eA== # <\n"),
     f'binaryData.a b: Invalid value: "a b": {CONFIG_KEY}'),
    (config_map("data:\n  ok: x\n  ..data: x # <\n"),
     "data...data: Invalid value: \"..data\": must not start with '..'"),
    (config_map("data:\n  k: x # <\nbinaryData:\n  k: eA==\n"),
     'data.k: Invalid value: "k": duplicate of key present in binaryData'),
    (secret("data:\n  a/b: eA== # <\n"), f'data.a/b: Invalid value: "a/b": {CONFIG_KEY}'),
    (secret("stringData:\n  a/b: x # <\n"), f'stringData.a/b: Invalid value: "a/b": {CONFIG_KEY}'),
])
def test_config_data_rejects(validator: Validator, tmp_path: Path, text: str,
                             expected: str) -> None:
    rejects(validator, tmp_path, text, "api-config-data", expected)


IN_BOTH = "duplicate of key present in binaryData"


def test_config_map_keys_in_both_sections_each_reported(validator: Validator,
                                                        tmp_path: Path) -> None:
    text = config_map("data:\n  b: x\n  a: x\n  c: x\nbinaryData:\n  a: eA==\n  b: eA==\n")
    assert found(validator, tmp_path, text) == [
        (6, "api-config-data", f'data.b: Invalid value: "b": {IN_BOTH}'),
        (7, "api-config-data", f'data.a: Invalid value: "a": {IN_BOTH}'),
    ]


@pytest.mark.parametrize("text", [
    config_map("data:\n  1: x\n"),  # a key YAML reads as a number is still a key
    # a Secret's data and stringData may share a key (stringData wins)
    secret("data:\n  k: eA==\nstringData:\n  k: x\n"),
    # Opaque (or no type) asks for no key; tls.crt is not JSON-checked
    secret("type: Opaque\ndata:\n  tls.crt: eA==\n"),
    secret("type: kubernetes.io/tls\nstringData:\n  tls.crt: not json\n  tls.key: k\n"),
])
def test_config_data_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


# The 1 MiB limit (core.MaxSecretSize): text counts as UTF-8 bytes, base64 fields decoded.
TOO_LONG = "Too long: must have at most 1048576 bytes"


def data_line(text: str) -> int:
    """The finding is on `data:`, or on the resource's first line when it has none."""
    return next((n for n, row in enumerate(text.splitlines(), 1) if row.startswith("data:")), 1)


@pytest.mark.parametrize(("body", "too_long"), [
    # ConfigMap data is text: the last byte accepted, the first refused
    (f"data:\n  k: {'a' * MIB}\n", False),
    (f"data:\n  k: {'a' * (MIB + 4)}\n", True),  # 4 more: still not read as base64
    # four bytes a character: 2**18 of them are exactly the limit
    (f"data:\n  k: {chr(0x1F600) * (MIB // 4)}\n", False),
    (f"data:\n  k: {chr(0x1F600) * (MIB // 4 + 1)}\n", True),
    # binaryData counts decoded: its text is longer than the limit
    (f"binaryData:\n  k: {b64(MIB)}\n", False),
    (f"binaryData:\n  k: {b64(MIB + 1)}\n", True),
    # both sections count
    (f"data:\n  k: {'a' * (MIB // 2)}\nbinaryData:\n  j: {b64(MIB // 2 + 1)}\n", True),
    # values of a quarter MiB each add up
    ("data:\n" + "".join(f"  k{n}: {'a' * (MIB // 4)}\n" for n in range(5)), True),
])
def test_config_map_size(validator: Validator, tmp_path: Path, body: str, too_long: bool) -> None:
    text = config_map(body)
    expected = [(data_line(text), "api-config-data", f"data: {TOO_LONG}")] if too_long else []
    assert found(validator, tmp_path, text) == expected


def wrapped(text: str) -> str:
    """A base64 value as a YAML literal block, 76 characters a line (as `base64` writes it)."""
    rows = [text[i:i + 76] for i in range(0, len(text), 76)]
    return "|\n" + "".join(f"    {row}\n" for row in rows)


@pytest.mark.parametrize(("body", "too_long"), [
    # Secret data counts decoded, stringData as text
    (f"data:\n  k: {b64(MIB)}\n", False),
    (f"data:\n  k: {b64(MIB + 1)}\n", True),
    (f"data:\n  k: {wrapped(b64(MIB + 1))}", True),  # line breaks are skipped
    (f"stringData:\n  k: {'a' * MIB}\n", False),
    (f"stringData:\n  k: {'a' * (MIB + 4)}\n", True),
    (f"data:\n  k: {b64(MIB // 2)}\nstringData:\n  j: {'a' * (MIB // 2 + 1)}\n", True),
    (f"data:\n  k: {wrapped(b64(MIB - 1000))}", False),  # the line breaks add nothing
])
def test_secret_size(validator: Validator, tmp_path: Path, body: str, too_long: bool) -> None:
    text = secret(body)
    expected = [(data_line(text), "api-config-data", f"data: {TOO_LONG}")] if too_long else []
    assert found(validator, tmp_path, text) == expected


# --- api-config-data: the keys a Secret's type needs (ValidateSecret) ---------------------------
SA_NAME = "kubernetes.io/service-account.name"


@pytest.mark.parametrize("text", [
    secret("type: kubernetes.io/service-account-token\n",
           f"  annotations:\n    {SA_NAME}: default\n"),
    secret("type: kubernetes.io/basic-auth\ndata:\n  password: eA==\n"),
    secret("type: kubernetes.io/basic-auth\nstringData:\n  username: u\n"),
    secret("type: kubernetes.io/ssh-auth\nstringData:\n  ssh-privatekey: k\n"),
    secret("type: kubernetes.io/tls\ndata:\n  tls.crt: eA==\n  tls.key: eA==\n"),
    secret("type: kubernetes.io/dockercfg\ndata:\n  .dockercfg: e30=\n"),  # {}
    secret("type: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{}'\n"),
    # stringData wins over data: only its value is read
    secret("type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: eyJh\n"
           "stringData:\n  .dockerconfigjson: '{}'\n"),
])
def test_secret_type_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    (secret("type: kubernetes.io/service-account-token\n").replace("name: x", "name: x # <"),
     f"metadata.annotations.{SA_NAME}: Required value"),
    (secret("type: kubernetes.io/service-account-token\n",
            f"  annotations:\n    other: z\n    {SA_NAME}: '' # <\n"),
     f"metadata.annotations.{SA_NAME}: Required value"),
    (secret("type: kubernetes.io/ssh-auth\ndata:\n  key: eA== # <\n"),
     "data.ssh-privatekey: Required value"),
    (secret("type: kubernetes.io/tls\ndata:\n  tls.crt: eA== # <\n"),
     "data.tls.key: Required value"),
    # without a data section the finding is on the resource's first line
    (secret("type: kubernetes.io/tls\nstringData:\n  tls.key: k\n").replace("v1", "v1 # <"),
     "data.tls.crt: Required value"),
    (secret("type: kubernetes.io/dockercfg\n").replace("v1", "v1 # <"),
     "data..dockercfg: Required value"),
    (secret("type: kubernetes.io/dockerconfigjson\nstringData:\n  other: x\n")
     .replace("v1", "v1 # <"), "data..dockerconfigjson: Required value"),
    # the JSON check reads the decoded value; the error is Python's json module's (the API
    # server prints Go's encoding/json error)
    (secret("type: kubernetes.io/dockercfg\ndata:\n  .dockercfg: eyJh # <\n"),  # {"a
     'data..dockercfg: Invalid value: "<secret contents redacted>": '
     "Unterminated string starting at: line 1 column 2 (char 1)"),
    (secret("type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: e30=\n"
            "stringData:\n  .dockerconfigjson: '{' # <\n"),
     'stringData..dockerconfigjson: Invalid value: "<secret contents redacted>": '
     "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    # a stringData without this key leaves data's value to read
    (secret("type: kubernetes.io/dockerconfigjson\nstringData:\n  other: x\n"
            "data:\n  .dockerconfigjson: eyJh # <\n"),
     'data..dockerconfigjson: Invalid value: "<secret contents redacted>": '
     "Unterminated string starting at: line 1 column 2 (char 1)"),
])
def test_secret_type_rejects(validator: Validator, tmp_path: Path, text: str,
                             expected: str) -> None:
    rejects(validator, tmp_path, text, "api-config-data", expected)


@pytest.mark.parametrize(("body", "needle"), [
    ("type: kubernetes.io/basic-auth\ndata:\n  user: eA==\n", "user:"),
    ("type: kubernetes.io/basic-auth\n", "apiVersion"),
])
def test_basic_auth_needs_username_or_password(validator: Validator, tmp_path: Path, body: str,
                                               needle: str) -> None:
    text = secret(body)
    at = line(text, needle)
    assert found(validator, tmp_path, text) == [
        (at, "api-config-data", "data.password: Required value"),
        (at, "api-config-data", "data.username: Required value"),
    ]


def test_tls_needs_both_keys(validator: Validator, tmp_path: Path) -> None:
    assert found(validator, tmp_path, secret("type: kubernetes.io/tls\n")) == [
        (1, "api-config-data", "data.tls.crt: Required value"),
        (1, "api-config-data", "data.tls.key: Required value"),
    ]


# --- api-pvc (ValidatePersistentVolumeClaimSpec) ----------------------------------------------
ACCESS_MODES = '"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'
STORAGE = "  resources:\n    requests:\n      storage: 1Gi\n"


def claim(spec: str) -> str:
    return resource("v1", "PersistentVolumeClaim", f"spec:\n{spec}")


@pytest.mark.parametrize("spec", [
    f"  accessModes: [ReadWriteOncePod]\n  volumeMode: Block\n{STORAGE}",
    f"  accessModes: [ReadWriteOncePod, ReadWriteOncePod]\n{STORAGE}",
    f"  accessModes: [ReadOnlyMany, ReadWriteMany]\n  storageClassName: ''\n{STORAGE}",
    "  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1\n",
    # not a quantity: not called "not greater than zero" (resource-quantity reports it)
    "  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: abc\n",
    "  accessModes: [ReadWriteOnce]\n  storageClassName: fast.ssd-1\n  selector:\n"
    f"    matchLabels:\n      tier: db\n{STORAGE}",
])
def test_pvc_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, claim(spec)) == []


@pytest.mark.parametrize(("spec", "expected"), [
    (f"  storageClassName: standard # <\n{STORAGE}",
     "spec.accessModes: Required value: at least 1 access mode is required"),
    (f"  accessModes: [] # <\n{STORAGE}",
     "spec.accessModes: Required value: at least 1 access mode is required"),
    (f"{STORAGE}  accessModes:\n    - ReadWriteOnce\n    - ReadWriteAlways # <\n",
     f'spec.accessModes[1]: Unsupported value: "ReadWriteAlways": supported values: '
     f"{ACCESS_MODES}"),
    (f"{STORAGE}  accessModes: [ReadWriteOnce, ReadWriteOncePod] # <\n",
     "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"),
    ("  accessModes: [ReadWriteOnce] # <\n",
     "spec.resources.requests.storage: Required value"),
    ("  accessModes: [ReadWriteOnce]\n  resources:\n    limits: # <\n      storage: 1Gi\n",
     "spec.resources.requests.storage: Required value"),
    ("  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: '0' # <\n",
     'spec.resources.requests.storage: Invalid value: "0": must be greater than zero'),
    ("  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 0 # <\n",
     'spec.resources.requests.storage: Invalid value: "0": must be greater than zero'),
    ("  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: -1Gi # <\n",
     'spec.resources.requests.storage: Invalid value: "-1Gi": must be greater than zero'),
    (f"{STORAGE}  accessModes: [ReadWriteOnce]\n  storageClassName: Fast_SSD # <\n",
     f'spec.storageClassName: Invalid value: "Fast_SSD": {SUBDOMAIN}'),
    (f"{STORAGE}  accessModes: [ReadWriteOnce]\n  volumeMode: Raw # <\n",
     'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'),
    (f"{STORAGE}  accessModes: [ReadWriteOnce]\n  selector:\n    matchExpressions:\n"
     "      - key: tier # <\n        operator: In\n",
     "spec.selector.matchExpressions[0]: Required value: must be specified when "
     "`operator` is 'In' or 'NotIn'"),
])
def test_pvc_rejects(validator: Validator, tmp_path: Path, spec: str, expected: str) -> None:
    rejects(validator, tmp_path, claim(spec), "api-pvc", expected)


def statefulset(templates: str) -> str:
    return ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: w\nspec:\n"
            "  selector:\n    matchLabels:\n      app: w\n  template:\n    metadata:\n"
            "      labels:\n        app: w\n    spec:\n      containers:\n        - name: c\n"
            "          image: registry.k8s.io/pause:3.10\n"
            f"  volumeClaimTemplates:\n{templates}")


def test_claim_templates_are_claims(validator: Validator, tmp_path: Path) -> None:
    good = ("    - metadata:\n        name: data\n      spec:\n"
            "        accessModes: [ReadWriteOnce]\n        resources:\n          requests:\n"
            "            storage: 1Gi\n")
    assert api_findings(validator, tmp_path, statefulset(good)) == []
    text = statefulset(good + "    - metadata:\n        name: logs\n      spec:\n"
                              "        accessModes: [ReadWriteOnce] # <\n")
    rejects(validator, tmp_path, text, "api-pvc",
            "spec.volumeClaimTemplates[1].spec.resources.requests.storage: Required value")


def test_claim_template_without_spec(validator: Validator, tmp_path: Path) -> None:
    text = statefulset("    - metadata:\n        name: data\n")
    at = line(text, "- metadata:")
    assert found(validator, tmp_path, text) == [
        (at, "api-pvc", "spec.volumeClaimTemplates[0].spec.accessModes: Required value: "
                        "at least 1 access mode is required"),
        (at, "api-pvc", "spec.volumeClaimTemplates[0].spec.resources.requests.storage: "
                        "Required value"),
    ]


# --- api-ingress (ValidateIngressSpec, validateIngressRules, validateHTTPIngressPath,
# validateIngressBackend) --------------------------------------------------------------------
PATH_TYPES = '"Exact", "ImplementationSpecific", "Prefix"'
WEB = "              service:\n                name: web\n                port:\n" \
      "                  number: 80\n"
WILDCARD = ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS "
            "subdomain, which must consist of lower case alphanumeric characters, '-' or '.' "
            "and end with an alphanumeric character (e.g. '*.example.com', regex used for "
            "validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?"
            "(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
P0 = "spec.rules[0].http.paths[0]"
WILDCARD_253 = ".".join(["a" * 63] * 3 + ["a" * 59])
DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
           "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
           "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")


def ingress(spec: str) -> str:
    return resource("networking.k8s.io/v1", "Ingress", f"spec:\n{spec}")


def path_rule(path: str = "/", path_type: str = "Prefix", backend: str = WEB,
              host: str = "") -> str:
    return (f"  rules:\n    - {host}http:\n        paths:\n          - path: {path}\n"
            f"            pathType: {path_type}\n            backend:\n{backend}")


def port(lines: str) -> str:
    return f"              service:\n                name: web\n                port:{lines}"


@pytest.mark.parametrize("spec", [
    path_rule("/a/b.c/..d/", "Exact"),
    path_rule("/a//./b/..", "ImplementationSpecific"),
    path_rule(host="host: '*.example.com'\n      "),
    path_rule(host="host: a.b\n      "),
    path_rule(host=f"host: '*.{WILDCARD_253}'\n      "),  # 253 characters in all
    path_rule(backend=port("\n                  number: 65535\n")),
    path_rule(backend="              resource:\n                apiGroup: k8s.example.com\n"
                      "                kind: Bucket\n                name: assets\n"),
    "  rules:\n    - host: example.com\n",  # a rule without http
    "  defaultBackend:\n    resource:\n      kind: Bucket\n      name: assets\n",
])
def test_ingress_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, ingress(spec)) == []


@pytest.mark.parametrize(("spec", "expected"), [
    ("  ingressClassName: nginx # <\n",
     'spec.rules: Invalid value: "": either `defaultBackend` or `rules` must be specified'),
    ("  rules: [] # <\n",
     'spec.rules: Invalid value: "": either `defaultBackend` or `rules` must be specified'),
    ("  ingressClassName: Nginx # <\n" + path_rule(),
     f'spec.ingressClassName: Invalid value: "Nginx": {SUBDOMAIN}'),
    (path_rule("api # <"), f'{P0}.path: Invalid value: "api": must be an absolute path'),
    (path_rule("'' # <", "Exact"), f'{P0}.path: Invalid value: "": must be an absolute path'),
    (path_rule("api # <", "ImplementationSpecific"),
     f'{P0}.path: Invalid value: "api": must be an absolute path'),
    (path_rule("/a//b # <"), f"{P0}.path: Invalid value: \"/a//b\": must not contain '//'"),
    (path_rule("/a/./b # <"), f"{P0}.path: Invalid value: \"/a/./b\": must not contain '/./'"),
    (path_rule("/a%2fb # <", "Exact"),
     f"{P0}.path: Invalid value: \"/a%2fb\": must not contain '%2f'"),
    (path_rule("/a%2Fb # <"), f"{P0}.path: Invalid value: \"/a%2Fb\": must not contain '%2F'"),
    (path_rule("/a/.. # <"), f"{P0}.path: Invalid value: \"/a/..\": cannot end with '/..'"),
    (path_rule("/a/. # <"), f"{P0}.path: Invalid value: \"/a/.\": cannot end with '/.'"),
    (path_rule("api", "Regex # <"),
     f'{P0}.pathType: Unsupported value: "Regex": supported values: {PATH_TYPES}'),
    (path_rule(host="host: 192.0.2.1 # <\n      "),
     'spec.rules[0].host: Invalid value: "192.0.2.1": must be a DNS name, not an IP address'),
    (path_rule(host="host: Example.com # <\n      "),
     f'spec.rules[0].host: Invalid value: "Example.com": {SUBDOMAIN}'),
    (path_rule(host="host: 'a.*.example.com' # <\n      "),
     f'spec.rules[0].host: Invalid value: "a.*.example.com": {WILDCARD}'),
    # 254 characters: Go's IsWildcardDNS1123Subdomain says "must be no more than 253
    # characters" here (our message is the pattern's)
    (path_rule(host=f"host: '*.{WILDCARD_253}a' # <\n      "),
     f'spec.rules[0].host: Invalid value: "*.{WILDCARD_253}a": {WILDCARD}'),
    ("  rules:\n    - http:\n        paths: [] # <\n",
     "spec.rules[0].http.paths: Required value"),
    (path_rule(backend="              service:\n                name: Web # <\n"
                       "                port:\n                  number: 80\n"),
     f'{P0}.backend.service.name: Invalid value: "Web": {DNS1035}'),
    (path_rule(backend="              service:\n                name: '' # <\n"
                       "                port:\n                  number: 80\n"),
     f"{P0}.backend.service.name: Required value"),
    (path_rule(backend=port(" # <\n                  name: http\n                  number: 80\n")),
     f'{P0}.backend.service.port: Invalid value: "": cannot set both port name & port number'),
    (path_rule(backend=port("\n                  name: Http # <\n")),
     f'{P0}.backend.service.port.name: Invalid value: "Http": must contain only '
     "alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
    (path_rule(backend=port("\n                  number: 65536 # <\n")),
     f"{P0}.backend.service.port.number: Invalid value: 65536: must be between 1 and 65535, "
     "inclusive"),
    (path_rule(backend="              service:\n                name: web # <\n"),
     f"{P0}.backend.service.port: Required value: port name or number is required"),
    (path_rule(backend=port(" {} # <\n")),
     f"{P0}.backend.service.port: Required value: port name or number is required"),
    (path_rule(backend=port(" # <\n                  number: 0\n")),
     f"{P0}.backend.service.port: Required value: port name or number is required"),
    (path_rule(backend="              service:\n                name: web\n"
                       "                port:\n                  number: 80\n"
                       "              resource:\n                kind: Bucket\n"
                       "                name: assets\n").replace("backend:", "backend: # <"),
     f'{P0}.backend: Invalid value: "": cannot set both resource and service backends'),
    (path_rule(backend="              {}\n").replace("backend:", "backend: # <"),
     f'{P0}.backend: Invalid value: "": resource or service backend is required'),
    ("  defaultBackend:\n    service:\n      name: web\n      port:\n        name: x--y # <\n",
     'spec.defaultBackend.service.port.name: Invalid value: "x--y": '
     "must not contain consecutive hyphens"),
])
def test_ingress_rejects(validator: Validator, tmp_path: Path, spec: str, expected: str) -> None:
    rejects(validator, tmp_path, ingress(spec), "api-ingress", expected)


def test_ingress_reports_every_rule_and_path(validator: Validator, tmp_path: Path) -> None:
    text = ingress(path_rule(host="host: '::1'\n      ")
                   + "          - path: /a/../b\n            pathType: Prefix\n"
                     f"            backend:\n{WEB}"
                   + "    - host: b.example\n      http:\n        paths:\n"
                     "          - path: b/\n            pathType: Exact\n"
                     f"            backend:\n{WEB}")
    assert found(validator, tmp_path, text) == [
        (line(text, "::1"), "api-ingress",
         f'spec.rules[0].host: Invalid value: "::1": {SUBDOMAIN}'),
        (line(text, "::1"), "api-ingress",
         'spec.rules[0].host: Invalid value: "::1": must be a DNS name, not an IP address'),
        (line(text, "/a/../b"), "api-ingress",
         "spec.rules[0].http.paths[1].path: Invalid value: \"/a/../b\": must not contain '/../'"),
        (line(text, "b/"), "api-ingress",
         'spec.rules[1].http.paths[0].path: Invalid value: "b/": must be an absolute path'),
    ]


def test_ingress_path_reports_each_bad_sequence(validator: Validator, tmp_path: Path) -> None:
    text = ingress(path_rule("a//b/."))
    at = line(text, "a//b/.")
    assert found(validator, tmp_path, text) == [
        (at, "api-ingress", f"{P0}.path: Invalid value: \"a//b/.\": cannot end with '/.'"),
        (at, "api-ingress", f'{P0}.path: Invalid value: "a//b/.": must be an absolute path'),
        (at, "api-ingress", f"{P0}.path: Invalid value: \"a//b/.\": must not contain '//'"),
    ]


# --- api-hpa (validateHorizontalPodAutoscalerSpec, ValidateCrossVersionObjectReference,
# validateMetricSpec, validateMetricTarget, validateResourceSource) -----------------------------
METRIC_TYPES = '"ContainerResource", "External", "Object", "Pods", "Resource"'
# ours is one message; Go's IsValidPathSegmentName gives one per offence ("may not be '.'",
# "may not contain '/'", ...)
SEGMENT = "may not be '.' or '..' and may not contain '/' or '%'"


def hpa(spec: str, metrics: str = "", version: str = "v2", kind: str = "Deployment",
        name: str = "web") -> str:
    return resource(f"autoscaling/{version}", "HorizontalPodAutoscaler",
                    "spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n"
                    f"    kind: {kind}\n    name: {name}\n{spec}"
                    + (f"  metrics:\n{metrics}" if metrics else ""))


def metric(kind: str, source: str, target: str) -> str:
    return (f"    - type: {kind}\n      {source}:\n        name: cpu\n        target:\n"
            + "".join(f"          {row}\n" for row in target.split(";")))


def external(target: str) -> str:
    return ("    - type: External\n      external:\n        metric:\n          name: queue\n"
            "        target:\n" + "".join(f"          {row}\n" for row in target.split(";")))


CONTAINER_CPU = ("    - type: ContainerResource\n      containerResource:\n        name: cpu\n"
                 "        container: app\n        target:\n          type: AverageValue\n"
                 "          averageValue: 500m\n")


@pytest.mark.parametrize("text", [
    hpa("  minReplicas: 1\n  maxReplicas: 1\n",
        metric("Resource", "resource", "type: Utilization;averageUtilization: 1")),
    hpa("  minReplicas: 3\n  maxReplicas: 3\n", CONTAINER_CPU),
    hpa("  maxReplicas: 2\n", external("type: Value;value: 1")),
    hpa("  maxReplicas: 2\n", external("type: AverageValue;averageValue: 1m")),
    hpa("  maxReplicas: 2\n  targetCPUUtilizationPercentage: 1\n", version="v1"),
])
def test_hpa_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


M0 = "spec.metrics[0]"


@pytest.mark.parametrize(("text", "expected"), [
    (hpa("  minReplicas: 0 # <\n  maxReplicas: 5\n"),
     "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"),
    (hpa("  maxReplicas: 0 # <\n"), "spec.maxReplicas: Invalid value: 0: must be greater than 0"),
    (hpa("  minReplicas: 3\n  maxReplicas: 2 # <\n"),
     "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"),
    (hpa("  maxReplicas: 2\n", kind="''").replace("kind: ''", "kind: '' # <"),
     "spec.scaleTargetRef.kind: Required value"),
    (hpa("  maxReplicas: 2\n", name="a/b").replace("name: a/b", "name: a/b # <"),
     f'spec.scaleTargetRef.name: Invalid value: "a/b": {SEGMENT}'),
    (hpa("  maxReplicas: 2\n", name="'..'").replace("name: '..'", "name: '..' # <"),
     f'spec.scaleTargetRef.name: Invalid value: "..": {SEGMENT}'),
    (hpa("  maxReplicas: 2\n", name="'.'").replace("name: '.'", "name: '.' # <"),
     f'spec.scaleTargetRef.name: Invalid value: ".": {SEGMENT}'),
    (hpa("  maxReplicas: 2\n", kind="'a%b'").replace("kind: 'a%b'", "kind: 'a%b' # <"),
     f'spec.scaleTargetRef.kind: Invalid value: "a%b": {SEGMENT}'),
    (hpa("  maxReplicas: 2\n  targetCPUUtilizationPercentage: 0 # <\n", version="v1"),
     "spec.targetCPUUtilizationPercentage: Invalid value: 0: must be greater than 0"),
    (hpa("  maxReplicas: 2\n", "    - type: '' # <\n"),
     f"{M0}.type: Required value: must specify a metric source type"),
    (hpa("  maxReplicas: 2\n", "    - type: Memory # <\n"),
     f'{M0}.type: Unsupported value: "Memory": supported values: {METRIC_TYPES}'),
    (hpa("  maxReplicas: 2\n", "    - type: Pods # <\n"),
     f"{M0}.pods: Required value: must populate information for the given metric source"),
    (hpa("  maxReplicas: 2\n", metric("Resource", "resource", "type: Utilization;"
                                      "averageUtilization: 50")
         + "      pods: # <\n        metric:\n          name: qps\n        target:\n"
           "          type: AverageValue\n          averageValue: 1\n"),
     f"{M0}.pods: Forbidden: must populate the given metric source only"),
    (hpa("  maxReplicas: 2\n", metric("Resource", "resource", "type: '' # <;averageValue: 1")),
     f"{M0}.resource.target.type: Required value: must specify a metric target type"),
    (hpa("  maxReplicas: 2\n", metric("Resource", "resource", "type: Percent # <;"
                                      "averageUtilization: 50")),
     f'{M0}.resource.target.type: Invalid value: "Percent": '
     "must be either Utilization, Value, or AverageValue"),
    (hpa("  maxReplicas: 2\n", metric("Resource", "resource", "type: Utilization;"
                                      "averageUtilization: 0 # <")),
     f"{M0}.resource.target.averageUtilization: Invalid value: 0: must be greater than 0"),
    (hpa("  maxReplicas: 2\n", metric("Resource", "resource", "type: AverageValue;"
                                      "averageValue: '0' # <")),
     f'{M0}.resource.target.averageValue: Invalid value: "0": must be positive'),
    (hpa("  maxReplicas: 2\n", external("type: Value;value: 0 # <")),
     f'{M0}.external.target.value: Invalid value: "0": must be positive'),
    (hpa("  maxReplicas: 2\n", external("type: Value;value: -1 # <")),
     f'{M0}.external.target.value: Invalid value: "-1": must be positive'),
    (hpa("  maxReplicas: 2\n", metric("Resource", "resource", "type: Value;value: 1")
         .replace("target:", "target: # <")),
     f"{M0}.resource.target: Required value: must set either a target raw value or a target "
     "utilization"),
    (hpa("  maxReplicas: 2\n", CONTAINER_CPU.replace("          averageValue: 500m\n", "")
         .replace("target:", "target: # <").replace("AverageValue", "Value\n          value: 1")),
     f"{M0}.containerResource.target: Required value: must set either a target raw value or a "
     "target utilization"),
])
def test_hpa_rejects(validator: Validator, tmp_path: Path, text: str, expected: str) -> None:
    rejects(validator, tmp_path, text, "api-hpa", expected)


def test_hpa_unreadable_quantity_is_not_also_called_not_positive(validator: Validator,
                                                                  tmp_path: Path) -> None:
    text = hpa("  maxReplicas: 2\n", external("type: Value;value: abc;averageValue: '0' # <"))
    rejects(validator, tmp_path, text, "api-hpa",
            f'{M0}.external.target.averageValue: Invalid value: "0": must be positive')


def test_hpa_reports_each_metric(validator: Validator, tmp_path: Path) -> None:
    text = hpa("  maxReplicas: 2\n", CONTAINER_CPU + external("type: AverageValue;averageValue: 0"))
    assert found(validator, tmp_path, text) == [
        (line(text, "averageValue: 0"), "api-hpa",
         'spec.metrics[1].external.target.averageValue: Invalid value: "0": must be positive'),
    ]


# --- api-pdb (ValidatePodDisruptionBudgetSpec) ------------------------------------------------
def pdb(spec: str) -> str:
    return resource("policy/v1", "PodDisruptionBudget",
                    f"spec:\n  selector:\n    matchLabels:\n      app: web\n{spec}")


PERCENT = ("a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', "
           " or '93%', regex used for validation is '[0-9]+%')")


@pytest.mark.parametrize("spec", [
    "  minAvailable: 100%\n  unhealthyPodEvictionPolicy: AlwaysAllow\n",
    "  maxUnavailable: 0\n  unhealthyPodEvictionPolicy: IfHealthyBudget\n",
    "  maxUnavailable: 0%\n",
])
def test_pdb_accepts(validator: Validator, tmp_path: Path, spec: str) -> None:
    assert api_findings(validator, tmp_path, pdb(spec)) == []


@pytest.mark.parametrize(("spec", "expected"), [
    ("  minAvailable: 1\n  maxUnavailable: 50% # <\n",
     'spec.maxUnavailable: Invalid value: {"minAvailable": 1, "maxUnavailable": "50%"}: '
     "minAvailable and maxUnavailable cannot be both set"),
    ("  minAvailable: 101% # <\n",
     'spec.minAvailable: Invalid value: "101%": must not be greater than 100%'),
    ("  maxUnavailable: ten # <\n", f'spec.maxUnavailable: Invalid value: "ten": {PERCENT}'),
    ("  maxUnavailable: -1 # <\n",
     "spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"),
    ("  minAvailable: -1 # <\n",
     "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"),
    ("  unhealthyPodEvictionPolicy: Never # <\n",
     'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: '
     '"AlwaysAllow", "IfHealthyBudget"'),
])
def test_pdb_rejects(validator: Validator, tmp_path: Path, spec: str, expected: str) -> None:
    rejects(validator, tmp_path, pdb(spec), "api-pdb", expected)


def test_pdb_selector(validator: Validator, tmp_path: Path) -> None:
    text = resource("policy/v1", "PodDisruptionBudget",
                    "spec:\n  selector:\n    matchExpressions:\n      - key: app\n"
                    "        operator: Exists\n        values: [web] # <\n")
    rejects(validator, tmp_path, text, "api-pdb",
            "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when "
            "`operator` is 'Exists' or 'DoesNotExist'")


# --- api-endpointslice (validateAddressType, validateEndpoints, validatePorts) ----------------
def slice_(address_type: str, endpoints: str, ports: str = "") -> str:
    return resource("discovery.k8s.io/v1", "EndpointSlice",
                    f"addressType: {address_type}\nendpoints:\n{endpoints}"
                    + (f"ports:\n{ports}" if ports else ""))


@pytest.mark.parametrize("text", [
    slice_("IPv6", "  - addresses: ['fd00::1', '2001:db8::2']\n"),
    slice_("FQDN", "  - addresses: [db.example.com.]\n    hostname: db\n"),
    slice_("IPv4", "  - addresses: [10.0.0.1]\n",
           "  - name: http\n    port: 80\n  - name: dns\n    port: 53\n    protocol: UDP\n"
           "  - port: 90\n    protocol: SCTP\n"),
])
def test_endpointslice_accepts(validator: Validator, tmp_path: Path, text: str) -> None:
    assert api_findings(validator, tmp_path, text) == []


LONG_LABEL = "a" * 64


@pytest.mark.parametrize(("text", "expected"), [
    (slice_("IP # <", "  - addresses: [10.0.0.1]\n"),
     'addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'),
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n  - addresses: [] # <\n"),
     "endpoints[1].addresses: Required value: must contain at least 1 address"),
    (slice_("IPv4", "  - addresses:\n      - 10.0.0.1\n      - fd00::1 # <\n"),
     'endpoints[0].addresses[1]: Invalid value: "fd00::1": must be a valid IPv4 address'),
    (slice_("IPv6", "  - addresses:\n      - 10.0.0.1 # <\n"),
     'endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address'),
    (slice_("FQDN", "  - addresses:\n      - localhost. # <\n"),
     'endpoints[0].addresses[0]: Invalid value: "localhost.": '
     "should be a domain with at least two segments separated by dots"),
    (slice_("FQDN", "  - addresses:\n      - Db.example.com # <\n"),
     f'endpoints[0].addresses[0]: Invalid value: "Db.example.com": {SUBDOMAIN}'),
    (slice_("FQDN", f"  - addresses:\n      - db.{LONG_LABEL}.com # <\n"),
     f'endpoints[0].addresses[0]: Invalid value: "db.{LONG_LABEL}.com": '
     "must be no more than 63 characters"),
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n    hostname: web.0 # <\n"),
     'endpoints[0].hostname: Invalid value: "web.0": must not contain dots'),
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n", "  - port: 80\n  - port: 81 # <\n"),
     'ports[1]: Duplicate value: ""'),
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n",
            "  - name: http\n    port: 80\n  - name: http # <\n    port: 81\n"),
     'ports[1].name: Duplicate value: "http"'),
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n", "  - name: Http # <\n    port: 80\n"),
     f'ports[0].name: Invalid value: "Http": {LABEL}'),
    (slice_("IPv4", "  - addresses: [10.0.0.1]\n", "  - port: 80\n    protocol: ICMP # <\n"),
     'ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'),
])
def test_endpointslice_rejects(validator: Validator, tmp_path: Path, text: str,
                               expected: str) -> None:
    rejects(validator, tmp_path, text, "api-endpointslice", expected)


def test_endpointslice_fqdn_with_more_than_one_error(validator: Validator,
                                                     tmp_path: Path) -> None:
    name = ".".join(["a" * 63] * 4) + "a" * 2  # 256 characters, and a label of 65
    text = slice_("FQDN", f"  - addresses:\n      - -{name}\n")
    assert found(validator, tmp_path, text) == [
        (line(text, name), "api-endpointslice",
         f'endpoints[0].addresses[0]: Invalid value: "-{name}": '
         f"must be no more than 253 characters,{SUBDOMAIN}"),
    ]


@pytest.mark.parametrize(("text", "field"), [
    (claim("  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n"
           "      storage: abc # <\n"), "spec.resources.requests.storage"),
    (hpa("  maxReplicas: 2\n", external("type: Value;value: 1x # <")),
     f"{M0}.external.target.value"),
])
def test_an_unreadable_quantity_is_reported(validator: Validator, tmp_path: Path, text: str,
                                            field: str) -> None:
    """The API server cannot decode a claim or an autoscaler whose quantity does not parse;
    the schema lets any string through, so resource-quantity reports it where it is written."""
    line = marked_line(text)
    (tmp_path / "case.yaml").write_text(text, encoding="utf-8")
    found = validator.run([tmp_path]).findings
    assert [(f.rule, f.line, f.field) for f in found] == [("resource-quantity", line, field)]
    assert "quantit" in found[0].message
