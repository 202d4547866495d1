"""Hypothesis generators for the fuzz suite: five families of hostile GitOps repos.

Every strategy draws a *case*: a plain JSON-able dict that `fuzzworker.build_repo` turns into a
directory (and a git repository when asked), plus the command line to lint it with:

    {"family": "values", "files": {path: content}, "special": [...], "git": {...} | None,
     "args": ["check", "--format", "json", ...]}

`content` is text, or {"b64": ...} for bytes (other encodings, invalid UTF-8), or
{"repeat": text, "times": n, "prefix": ..., "suffix": ...} for large files that would be slow to draw.
`special` entries are symlinks and FIFOs. `git` holds commits (date, files, branch, tag), refs,
remotes, a shallow marker and uncommitted changes.

YAML is written by a small emitter of our own (not a YAML library) so that it can say what
libraries refuse to: duplicate keys, keys that are null/ints/floats/collections, anchors used
before they are defined, tags on the wrong kind of node, merge keys of scalars, raw byte damage.
"""
from __future__ import annotations

import base64
import copy
import functools
import json
import math
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import configuration
from hypothesis import strategies as st

# Hypothesis keeps a cache (.hypothesis/) in the working directory: keep it out of the checkout
configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "gitops-lint-fuzz-hypothesis")

# ---------------------------------------------------------------------------------------------
# vocabulary

ENVS = ["dev", "development", "qa", "test", "int", "stage", "staging", "stg", "uat", "preprod", "pre-prod",
        "prod", "production", "prd", "live"]
ODD_ENVS = ["PROD", "Prod", "prod-east", "prod_west", "stage2", "ßtage", "prod.v2", "prod prod", "p" * 120,
            "прод", "prod\u202e", "dev-stage-prod", "-prod", "prod-", "0", "values", "templates"]
APPS = ["app", "web", "api", "my-app", "billing", "App_1", "приложение", "a" * 80, "helm", "chart", "envs",
        "templates", "charts"]
KEYS = ["image", "repository", "tag", "digest", "registry", "name", "newName", "newTag", "images", "image_tag",
        "imageTag", "sidecarImage", "resources", "limits", "requests", "memory", "cpu", "ingress", "enabled",
        "tls", "hosts", "host", "secretName", "className", "ingressClassName", "tlsSecretName", "replicaCount",
        "replicas", "autoscaling", "minReplicas", "maxReplicas", "targetCPUUtilizationPercentage", "metrics",
        "nodeSelector", "affinity", "tolerations", "topologySpreadConstraints", "priorityClassName",
        "livenessProbe", "readinessProbe", "startupProbe", "securityContext", "podSecurityContext",
        "containerSecurityContext", "podDisruptionBudget", "pdb", "global", "env", "sha", "appVersion",
        "version", "apiVersion", "kind", "metadata", "spec", "items", "<<", "", "a.b", "a/b", "**", "*"]
REPO_URL = "https://github.com/example/gitops.git"
RULE_IDS = ["promotion/rebuilt-image", "promotion/mutable-tag", "parity/drift", "parity/replicas",
            "exposure/missing-tls", "exposure/missing-ingress", "argocd/auto-sync-prod", "argocd/values-file",
            "argocd/namespace", "argocd/source", "structure/missing-env", "structure/removed",
            "promotion/untested-tag", "promotion/soak-time", "meta/suppression", "yaml/syntax",
            "yaml/duplicate-key", "yaml/unsafe"]
RULE_PARAMS = ["severity", "severity_unprotected", "severity_by_case", "allow", "keys", "ignore_env_names",
               "skip_when_autoscaled", "ingress_keys", "extra_tags", "min_soak", "problem", "compare", "path"]
FORMATS = ["text", "json", "sarif", "junit", "github", "markdown", "gitlab"]

# YAML scalars as they are written, chosen for what they turn into (or fail to)
ODD_SCALARS = [
    "~", "null", "Null", "NULL", "", "true", "false", "True", "yes", "no", "on", "off", "y", "n",
    "0", "-0", "017", "0o17", "0x1F", "0b101", "1_000", "+12", "1e400", "-1e400", "1.5e-300", ".inf", "-.Inf",
    ".nan", ".NaN", "0.0", "1.", ".5", "12345678901234567890123456789012345678901234567890",
    "9" * 400, "-" + "9" * 400, "2024-01-01", "2024-01-01T00:00:00Z", "2026-02-30", "2024-13-45 25:61:61",
    "1:20", "190:20:30", "=", "<<", "*", "&", "!", "%", "@foo", "`cmd`", "'single'", '"double"',
    '"\\ud800"', '"\\udfff\\ud800"', '"\\x00\\x01\\x1b[31m"', '"\\u202e\\u200b\\ufeff"', '"\\N\\_\\L\\P"',
    '"\\U0001F600"', '"a\\nb\\rc\\td"', '"\\e]0;title\\a"', "'it''s'", "latest", "main", "17", "\"17\"", "'17'",
    "1.2.3", "v1.2.3", "sha256:" + "a" * 64, "registry.example.com/team/app", "registry.example.com/team/app:17",
    "registry.example.com/team/app@sha256:" + "b" * 64, "app:latest@sha256:" + "c" * 64, "UPPER/Case:Tag",
    "registry.example.com:5000/app:1", "http://evil.example.com/x", "${TAG}", "{{ .Values.tag }}", "app_version",
    "512Mi", "1Gi", "1024Mi", "500m", "0.5", "-1", "1e3", "1Ki", "12345678901234567890Gi", "NaNGi",
    "!!binary aGVsbG8=", "!!binary '!!!'", "!!binary", "!!int 'x'", "!!float abc", "!!timestamp 2024-99-99",
    "!!bool maybe", "!!null x", "!!str 5", "!!str", "!Ref thing", "!<tag:yaml.org,2002:str> 5",
    "!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!custom", "!!set {a, b}",
    "!!omap [a: 1, b: 2]", "!!pairs [a: 1, a: 2]", "!!map [1]", "!!seq {a: 1}", "!!int [1]", "!!merge x",
    "|\n  literal\n  text", "|-\n  x", ">+\n  folded\n\n", "|2\n   indented", "[]", "{}", "[1, [2, [3]]]",
    "{a: 1, a: 2}", "{? [a]: 1}", "[a: 1]", "x # gitops-lint: ignore[*] because", "#not a comment",
]
IMAGE_TAGS = ["1", "15", "16", "17", "1.2.3", "v2", "latest", "main", "stage", "prod", "abc1234", "", "sha-1"]
TZS = ["+0000", "-1200", "+1400", "+0530", "-0000", "+0100"]


@functools.cache  # strategies are built once: Hypothesis validates each new one, which dominated generation
def _word() -> st.SearchStrategy[str]:
    """Any printable unicode (control characters come from ODD_SCALARS and the raw damage instead)."""
    return st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


def _dq(text: str) -> str:
    """A double-quoted YAML scalar (JSON's escapes, but astral characters kept whole, not as surrogate pairs)."""
    return json.dumps(text, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# YAML trees: ("map", [(key, value)...]) | ("seq", [...]) | ("scalar", raw) | ("alias", name)
#             | ("anchor", name, node) | ("tag", tag, node) | ("deep", depth, style)

@functools.cache
def scalar_token() -> st.SearchStrategy[tuple[Any, ...]]:
    return st.one_of(
        st.sampled_from(ODD_SCALARS),
        st.sampled_from(IMAGE_TAGS + KEYS + ENVS + ODD_ENVS),
        st.integers(min_value=-(10 ** 30), max_value=10 ** 30).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(_float_text),
        _word().map(_dq),  # any unicode, double-quoted
        _word().map(lambda t: "'" + t.replace("'", "''").replace("\n", " ") + "'"),
    ).map(lambda raw: ("scalar", raw))


def _float_text(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


@functools.cache
def key_token() -> st.SearchStrategy[tuple[Any, ...]]:
    plain = st.sampled_from(KEYS).map(lambda k: ("scalar", json.dumps(k) if k in ("", "<<", "*", "**") and k != "<<" else k))
    odd = st.sampled_from(["~", "null", "1", "0", "-1", "1.5", ".inf", ".nan", "true", "2024-01-01", "1e400",
                           '"\\ud800"', '"a\\nb"', '"' + "k" * 300 + '"', "'quoted key'", "!!binary aGk=",
                           "!!int 7", "? [a, b]", "? {a: 1}", "? [[[[]]]]", "? *undefined", "&ka key"]
                          ).map(lambda k: ("scalar", k))
    return st.one_of(plain, plain, plain, odd, _word().map(lambda w: ("scalar", _dq(w))))


@functools.cache
def yaml_tree(keys: st.SearchStrategy[tuple[Any, ...]] | None = None, *,
              max_leaves: int = 25) -> st.SearchStrategy[tuple[Any, ...]]:
    keys = keys or key_token()
    leaves = st.one_of(
        scalar_token(), scalar_token(), scalar_token(),
        st.sampled_from(["a", "b", "x", "undefined"]).map(lambda n: ("alias", n)),
        st.tuples(st.integers(60, 70) | st.sampled_from([64, 65, 200, 5000]), st.sampled_from(["flow-seq", "flow-map", "block"])
                  ).map(lambda t: ("deep", t[0], t[1])),
    )

    def extend(children: st.SearchStrategy[tuple[Any, ...]]) -> st.SearchStrategy[tuple[Any, ...]]:
        return st.one_of(
            st.lists(st.tuples(keys, children), max_size=6).map(lambda items: ("map", items)),
            st.lists(children, max_size=5).map(lambda items: ("seq", items)),
            st.tuples(st.sampled_from(["a", "b", "x"]), children).map(lambda t: ("anchor", t[0], t[1])),
            st.tuples(st.sampled_from(["!!map", "!!seq", "!!str", "!!binary", "!!set", "!!omap", "!Thing",
                                       "!!python/object:os.system"]), children).map(lambda t: ("tag", t[0], t[1])),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def py_to_tree(value: Any) -> tuple[Any, ...]:
    """A Python value as a tree (keys in order; tuples of pairs keep duplicate keys)."""
    if isinstance(value, dict):
        return ("map", [(py_to_tree(k), py_to_tree(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [py_to_tree(v) for v in value])
    if isinstance(value, tuple) and value and isinstance(value[0], str) and value[0] in _NODE_KINDS:
        return value  # already a tree node
    if value is None:
        return ("scalar", "null")
    if isinstance(value, bool):
        return ("scalar", "true" if value else "false")
    if isinstance(value, int):
        return ("scalar", str(value))
    if isinstance(value, float):
        return ("scalar", _float_text(value))
    return ("scalar", json.dumps(str(value)))


_NODE_KINDS = {"map", "seq", "scalar", "alias", "anchor", "tag", "deep"}


def emit(node: tuple[Any, ...], *, flow: bool = False) -> str:
    """YAML text for a tree: block style (flow for keys and inside flow), one document."""
    if flow:
        return _flow(node) + "\n"
    lines: list[str] = []
    _block(node, 0, lines, prefix="")
    return "\n".join(lines) + "\n"


def _flow(node: tuple[Any, ...]) -> str:
    kind = node[0]
    if kind == "scalar":
        raw = node[1]
        return json.dumps(raw) if "\n" in raw or raw.startswith(("|", ">", "#")) or raw.endswith(":") else raw
    if kind == "alias":
        return f"*{node[1]}"
    if kind == "anchor":
        return f"&{node[1]} {_flow(node[2])}"
    if kind == "tag":
        return f"{node[1]} {_flow(node[2])}"
    if kind == "deep":
        return _deep(node[1], node[2], flow=True)
    if kind == "map":
        return "{" + ", ".join(f"{_flow_key(k)}: {_flow(v)}" for k, v in node[1]) + "}"
    return "[" + ", ".join(_flow(v) for v in node[1]) + "]"


def _flow_key(node: tuple[Any, ...]) -> str:
    if node[0] == "scalar" and node[1].startswith("? "):
        return node[1]
    if node[0] in ("map", "seq", "deep"):
        return "? " + _flow(node)
    return _flow(node)


def _deep(depth: int, style: str, *, flow: bool) -> str:
    if style == "flow-seq" or (style == "block" and flow):
        return "[" * depth + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    return ""  # block style is handled by _block


def _block(node: tuple[Any, ...], indent: int, lines: list[str], *, prefix: str) -> None:
    """Append the lines of `node`; `prefix` is what stands before it on its first line (`key:`, `-`)."""
    pad = " " * indent
    kind = node[0]
    if kind in ("anchor", "tag") and node[2][0] in ("map", "seq") and node[2][1]:
        lines.append(f"{prefix} {'&' if kind == 'anchor' else ''}{node[1]}".rstrip() if prefix
                     else f"{pad}{'&' if kind == 'anchor' else ''}{node[1]}")
        _block(node[2], indent + (2 if prefix else 0), lines, prefix="")
        return
    if kind == "deep" and node[2] == "block":
        depth = min(node[1], 300)
        if prefix:
            lines.append(prefix)
        for level in range(depth):
            lines.append(" " * (indent + 2 * level) + "k:")
        lines.append(" " * (indent + 2 * depth) + "leaf")
        return
    if kind == "map" and node[1]:
        if prefix:
            lines.append(prefix)
            indent += 2
            pad = " " * indent
        for key, value in node[1]:
            key_text = _flow_key(key)
            if key_text.startswith("? "):
                lines.append(pad + key_text)
                _block(value, indent, lines, prefix=pad + ":")
            else:
                _block(value, indent, lines, prefix=f"{pad}{key_text}:")
        return
    if kind == "seq" and node[1]:
        if prefix:
            lines.append(prefix)
            indent += 2
            pad = " " * indent
        for item in node[1]:
            _block(item, indent, lines, prefix=pad + "-")
        return
    if kind == "scalar" and node[1].startswith(("|", ">")) and "\n" in node[1]:
        head, *body = node[1].split("\n")
        lines.append(f"{prefix} {head}" if prefix else pad + head)
        lines.extend(" " * (indent + 2) + line.strip() if line.strip() else "" for line in body)
        return
    text = _flow(node)
    lines.append(f"{prefix} {text}" if prefix else pad + text)


# raw damage applied to emitted text
_NOISE = [":", "-", "[", "]", "{", "}", "&", "*", "!", "|", ">", "'", '"', "%", "@", "`", "#", ",", "?",
          "\t", "\n", "\r", "\x00", "\ufeff", "\u2028", "\x85", " ", "---\n", "...\n", "<<: *a\n", "\\"]


_HEADS = ["", "", "", "", "", "", "---\n", "%YAML 1.1\n---\n", "%YAML 1.2\n---\n", "%YAML 9.9\n---\n",
          "%TAG ! tag:example.com,2000:\n---\n", "# gitops-lint: ignore[*]\n"]
_MAP_HEADS = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 7)), "x: &a {p: 1}\ny: &b [1]\n"] * 3
_TAILS = ["", "", "", "", "", "", "---\n", "...\n", "---\nkind: Other\n", "--- *a\n", "# gitops-lint: ignore[parity/*]\n"]
_MAP_TAILS = ["z: *a\n", "<<: *a\n", "<<: [*a, *b]\n", "<<: 5\n", "image: *a\n"] * 2


@st.composite
def yaml_text(draw: st.DrawFn, tree: st.SearchStrategy[tuple[Any, ...]] | None = None) -> Any:
    """A YAML file's content: an emitted tree, sometimes damaged, re-encoded or multiplied."""
    node = draw(tree if tree is not None else yaml_tree())
    text = emit(node, flow=draw(st.integers(0, 9)) == 0)
    for _ in range(draw(st.integers(0, 3)) if draw(st.integers(0, 3)) == 0 else 0):
        how = draw(st.sampled_from(["insert", "truncate", "dupline", "dedent", "swap"]))
        at = draw(st.integers(0, len(text)))
        if how == "insert":
            text = text[:at] + draw(st.sampled_from(_NOISE)) + text[at:]
        elif how == "truncate":
            text = text[:at]
        elif how == "dupline":
            lines = text.split("\n")
            index = at % max(len(lines), 1)
            lines.insert(index, lines[index] if lines else "")
            text = "\n".join(lines)
        elif how == "dedent":
            text = text.replace("\n  ", "\n", 1)
        else:
            text = text[at:] + text[:at]
    block_map = node[0] == "map" and bool(node[1]) and not text.startswith("{")
    head = draw(st.sampled_from(_HEADS + (_MAP_HEADS if block_map else [])))
    tail = draw(st.sampled_from(_TAILS + [f"---\n{text}"] + (_MAP_TAILS if block_map else [])))
    text = head + text + tail
    encoding = draw(st.sampled_from(["utf-8"] * 12 + ["crlf", "utf-8-sig", "utf-16", "utf-16-be", "utf-32",
                                                      "latin-1", "badbytes"]))
    if encoding == "utf-8":
        return _maybe_bytes(text)
    if encoding == "crlf":
        return _maybe_bytes(text.replace("\n", "\r\n"))
    if encoding == "badbytes":
        return {"b64": base64.b64encode(text.encode("utf-8", "surrogatepass") + b"\xff\xfe\xc3(\x80").decode()}
    return {"b64": base64.b64encode(text.encode(encoding, "replace") if encoding == "latin-1"
                                    else text.encode(encoding, "surrogatepass")).decode()}


def _maybe_bytes(text: str) -> Any:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # a lone surrogate from an escape: not text we can write as UTF-8
        return {"b64": base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()}


@functools.cache
def big_file() -> st.SearchStrategy[dict[str, Any]]:
    """Large content that stresses limits: over 4 MiB, many keys, long lines, many documents."""
    return st.sampled_from([
        {"repeat": "a" * 1023 + "\n", "times": 4097, "prefix": "# big\n"},  # just over 4 MiB
        {"repeat": "k{n}: v\n", "times": 200_000},
        {"repeat": "- x\n", "times": 300_000, "prefix": "items:\n"},
        {"repeat": "x", "times": 3_000_000, "prefix": "key: "},
        {"repeat": "---\na: 1\n", "times": 100_000},
        {"repeat": "[", "times": 100_000},
        {"repeat": "{a: ", "times": 50_000},
        {"repeat": "  ", "times": 100_000, "prefix": "a:\n", "suffix": "b: 1\n"},
        {"repeat": "a: &a{n} [*a{m}, *a{m}]\n", "times": 5000, "prefix": "a0: &a0 [x]\n", "suffix": "z: *a4999\n"},
        {"repeat": "? [a, b, c]\n: 1\n", "times": 50_000},
        {"repeat": "a: 1\n", "times": 300_000, "prefix": "", "suffix": ""},  # 300k duplicate keys
        {"repeat": "# gitops-lint: ignore[*] r\n", "times": 100_000, "suffix": "replicaCount: 1\n"},
        {"repeat": "image: registry.example.com/app:{n}\n", "times": 50_000},
        {"repeat": "\\", "times": 1_000_000, "prefix": "a: \"", "suffix": "\"\n"},
    ])


# ---------------------------------------------------------------------------------------------
# values files

def _image_block(tag: str) -> dict[str, Any]:
    return {"image": {"repository": "registry.example.com/team/app", "tag": tag}}


BASE_VALUES = {
    "replicaCount": 2,
    "resources": {"limits": {"memory": "1Gi", "cpu": "500m"}, "requests": {"memory": "512Mi"}},
    "ingress": {"enabled": True, "hosts": [{"host": "app.example.com"}], "tls": [{"secretName": "s", "hosts": ["app.example.com"]}]},
    "autoscaling": {"enabled": False, "minReplicas": 1, "maxReplicas": 3},
    "nodeSelector": {"pool": "general"},
}


@st.composite
def values_doc(draw: st.DrawFn, env: str = "prod") -> Any:
    """A values file: realistic keys the rules read, with leaves and subtrees swapped for odd ones."""
    base: dict[str, Any] = {**_image_block(draw(st.sampled_from(IMAGE_TAGS))),
                            **{k: v for k, v in BASE_VALUES.items() if draw(st.booleans())}}
    tree = py_to_tree(base)
    tree = draw(_mutate(tree, rate=draw(st.sampled_from([0, 1, 2, 5]))))
    extra = draw(st.lists(st.tuples(key_token(), yaml_tree(max_leaves=12)), max_size=draw(st.sampled_from([0, 2, 4]))))
    if tree[0] == "map":
        tree = ("map", tree[1] + extra)
    return draw(yaml_text(st.just(tree)))


@st.composite
def _mutate(draw: st.DrawFn, node: tuple[Any, ...], *, rate: int) -> tuple[Any, ...]:
    """Replace about `rate` in 10 of the nodes (leaves, values, keys) with odd ones, recursively."""
    if rate and draw(st.integers(0, 9)) < rate:
        choice = draw(st.integers(0, 4))
        if choice == 0:
            return draw(scalar_token())
        if choice == 1:
            return draw(yaml_tree(max_leaves=8))
        if choice == 2:
            return ("anchor", "a", node)
        if choice == 3:
            return ("alias", draw(st.sampled_from(["a", "b"])))
        # else fall through and mutate inside
    if node[0] == "map":
        items = []
        for key, value in node[1]:
            if rate and draw(st.integers(0, 19)) < rate:
                continue  # delete the key
            if rate and draw(st.integers(0, 19)) < rate:
                key = draw(key_token())
            items.append((key, draw(_mutate(value, rate=rate))))
            if rate and draw(st.integers(0, 19)) < rate:
                items.append((key, draw(yaml_tree(max_leaves=4))))  # a duplicate key
        return ("map", items)
    if node[0] == "seq":
        return ("seq", [draw(_mutate(v, rate=rate)) for v in node[1]])
    return node


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount | default 1 }}
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          resources: {{- toYaml .Values.resources | nindent 12 }}
"""
INGRESS = """{{- if .Values.ingress.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .Release.Name }}
spec:
  {{- with .Values.ingress.tls }}
  tls: {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
  {{- range .Values.ingress.hosts }}
    - host: {{ .host | quote }}
  {{- end }}
{{- end }}
"""
# templates a chart may carry: ordinary ones over odd values, and ones that attack the renderer
HOSTILE_TEMPLATES = [
    '{{ repeat 100000000 "x" }}\n',  # 100 MB string
    '{{ range $i := until 100000000 }}{{ $i }}{{ end }}\n',  # a long loop
    '{{ range $i := until 2000 }}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: "c{{ $i }}"}\n{{ end }}',
    '{{ define "self" }}{{ include "self" . }}{{ end }}{{ include "self" . }}\n',  # unbounded recursion
    '{{ tpl "{{ tpl .Template.Name . }}" . }}\n',
    '{{ fail "refused by the chart" }}\n', '{{ required "image.tag is required" .Values.nope }}\n',
    '{{ .Files.Get "../../../../etc/passwd" }}\n{{ .Files.Glob "**" | toYaml }}\n',
    '{{ lookup "v1" "Secret" "default" "x" | toYaml }}\n', '{{ printf "%0999999999d" 1 }}\n',
    '{{ end }}\n', '{{ .Values.image.tag.deeper.still }}\n', '{{ toYaml .Values | indent 2 }}\n: [\n',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: "{{ .Values.image }}"}]}\n',
    '{{ range .Values.ingress.hosts }}{{ .host }}{{ end }}\n', '{{ env "HOME" }}{{ expandenv "$PATH" }}\n',
    '{{ now | date "2006" }} {{ randAlphaNum 10 }} {{ uuidv4 }}\n', '{{ include "missing" . }}\n',
    '{{ $x := dict }}{{ range $i := until 50000 }}{{ $_ := set $x (toString $i) (repeat 100 "y") }}{{ end }}{{ toYaml $x }}\n',
]


@st.composite
def chart_templates(draw: st.DrawFn, app: str) -> dict[str, Any]:
    files: dict[str, Any] = {f"{app}/templates/deployment.yaml": DEPLOYMENT}
    if draw(st.booleans()):
        files[f"{app}/templates/ingress.yaml"] = INGRESS
    if draw(st.integers(0, 2)) == 0:
        files[f"{app}/templates/{draw(st.sampled_from(['x.yaml', '_helpers.tpl', 'NOTES.txt', 'sub/y.yaml']))}"] = \
            draw(st.sampled_from(HOSTILE_TEMPLATES))
    if draw(st.integers(0, 4)) == 0:
        files[f"{app}/Chart.yaml"] = draw(st.sampled_from([
            f"apiVersion: v2\nname: {app}\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n"
            "    repository: https://charts.example.com\n",
            f"apiVersion: v2\nname: {app}\nversion: 0.1.0\ndependencies:\n  - name: sub\n    version: 0.1.0\n"
            "    repository: file://../sub\n",
            f"apiVersion: v1\nname: {app}\nversion: not-semver\n", f"apiVersion: v2\nname: {app}\nversion: 0.1.0\ntype: library\n",
            f"apiVersion: v2\nname: {app}\nversion: 0.1.0\nkubeVersion: '>=99.0.0'\n"]))
        files["sub/Chart.yaml"] = "apiVersion: v2\nname: sub\nversion: 0.1.0\n"
        files["sub/templates/cm.yaml"] = draw(st.sampled_from(HOSTILE_TEMPLATES))
    if draw(st.integers(0, 5)) == 0:
        files[f"{app}/values.schema.json"] = draw(st.sampled_from([
            '{"type": "object", "required": ["nope"]}', '{"$ref": "http://example.com/s.json"}', "{", "[]",
            '{"properties": {"image": {"type": "string"}}}']))
    return files


@functools.cache
def _special() -> st.SearchStrategy[list[dict[str, Any]]]:
    target = st.sampled_from(["/dev/zero", "/dev/urandom", "/proc/self/environ", "/etc/passwd", "..", "../..",
                              ".", "loop", "values.yaml", "missing.yaml", "/nonexistent", "/proc/kcore",
                              "/dev/stdin", "/proc/self/fd/0"])
    return st.lists(st.fixed_dictionaries({
        "kind": st.sampled_from(["symlink", "symlink", "fifo"]),
        "path": st.sampled_from(["app/values-prod.yaml", "app/values-qa.yaml", "app/Chart.yaml", "loop",
                                 ".gitops-lint.yaml", "argocd/link.yaml", "app/templates", "envs/prod/values.yaml",
                                 "linkdir"]),
        "target": target,
    }), max_size=2)


@functools.cache
def _env_pair() -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(ENVS + ENVS + ODD_ENVS), min_size=1, max_size=4, unique=True) | \
        st.lists(st.sampled_from(ENVS), min_size=2, max_size=4, unique=True)


_VALUES_NAMES = ["{app}/values-{env}.yaml", "{app}/values.{env}.yaml", "{app}/{env}-values.yaml",
                 "{app}/values-{env}.yml", "envs/{env}/values.yaml", "environments/{env}/values.yaml",
                 "{app}/{env}/values.yaml", "helm_deploy/values-{env}.yaml", "{app}/values-{env}-east.yaml"]


@functools.cache
def _check_args() -> st.SearchStrategy[list[str]]:
    opts = st.lists(st.sampled_from([
        ["--format", "json"], ["--format", "sarif"], ["--format", "junit"], ["--format", "github"],
        ["--format", "markdown"], ["--format", "gitlab"], ["--format", "text"], ["--strict"], ["--no-history"],
        ["--no-exemptions"], ["--allow-empty"], ["--no-cache"], ["--color"], ["--fail-on", "warning"],
        ["--rule", "parity/drift"], ["--rule", "promotion/untested-tag"],
    ]), max_size=3)
    check = opts.map(lambda groups: ["check", *[a for g in groups for a in g]])
    return st.one_of(check, check, check, check, check, check, check,
                     st.sampled_from([["discover"], ["discover", "--format", "json"]]))


@st.composite
def values_case(draw: st.DrawFn) -> dict[str, Any]:
    app = draw(st.sampled_from(APPS[:4]) | st.sampled_from(APPS))
    envs = draw(_env_pair())
    files: dict[str, Any] = {}
    if draw(st.integers(0, 4)):
        files[f"{app}/Chart.yaml"] = draw(st.sampled_from([
            f"apiVersion: v2\nname: {app}\nversion: 0.1.0\nappVersion: '17'\n", "apiVersion: v2\nname: [x]\n",
            "name: 5\nappVersion: {a: 1}\n", "", "- not a map\n", f"name: {json.dumps(app)}\nappVersion: 1e400\n",
        ])) if draw(st.booleans()) else draw(yaml_text())
    if draw(st.booleans()):
        files[f"{app}/values.yaml"] = draw(values_doc())
    names = draw(st.lists(st.sampled_from(_VALUES_NAMES), min_size=1, max_size=2))
    for env in envs:
        pattern = draw(st.sampled_from(names))
        files[pattern.format(app=app, env=env)] = draw(values_doc(env))
    if draw(st.integers(0, 19)) == 0:  # seconds each: rare, or the other cases starve
        files[f"{app}/values-{draw(st.sampled_from(envs))}.yaml"] = draw(big_file())
    if draw(st.integers(0, 2)) == 0:  # the chart renders (Helm SDK in the render worker)
        files.update(draw(chart_templates(app)))
    return {"family": "values", "files": files, "special": draw(_special()) if draw(st.integers(0, 7)) == 0 else [],
            "git": draw(_simple_git()), "args": draw(_check_args())}


@st.composite
def _simple_git(draw: st.DrawFn) -> dict[str, Any] | None:
    """No git (history unavailable), or one commit of the files, maybe with uncommitted edits."""
    mode = draw(st.sampled_from(["none", "commit", "commit", "dirty"]))
    if mode == "none":
        return None
    return {"commits": [{"date": "2026-01-01T00:00:00+00:00", "files": "*"}], "dirty": mode == "dirty"}


# ---------------------------------------------------------------------------------------------
# Argo CD

WRONG = [None, 0, -1, 1.5, True, "", "x", [], ["a", 1], {}, {"a": 1}, 10 ** 40, [[["deep"]]], "{{env}}",
         "{{ .missing }}", "$values", "../../..", "/abs/path", "\u202e", float("inf")]


@functools.cache
def _wrong() -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(WRONG).map(copy.deepcopy), yaml_tree(max_leaves=5))


@st.composite
def _maybe_wrong(draw: st.DrawFn, value: Any, rate: int) -> Any:
    """`value`, or (rate in 20) a wrong-typed stand-in, or (rarely) the key deleted (returns _DELETE)."""
    roll = draw(st.integers(0, 19))
    if roll < rate:
        return draw(_wrong())
    if roll == 19 and rate:
        return _DELETE
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            new = draw(_maybe_wrong(item, rate))
            if new is not _DELETE:
                out[key] = new
        return out
    if isinstance(value, list):
        return [v for v in (draw(_maybe_wrong(item, rate)) for item in value) if v is not _DELETE]
    return value


_DELETE = object()


@st.composite
def _mangle(draw: st.DrawFn, value: Any, rate: int) -> Any:
    """`_maybe_wrong` for a whole document (which cannot be deleted)."""
    out = draw(_maybe_wrong(value, rate))
    return value if out is _DELETE else out


@functools.cache
def _revision() -> st.SearchStrategy[Any]:
    return st.sampled_from(["HEAD", "main", "master", "", "v1.2.3", "1.2.3", "1.*", ">=1.2.0 <2", "~1.2", "^1",
                            ">=1.0.0, <2.0.0", "refs/tags/v1", "refs/heads/main", "deadbeef", "0" * 40, "latest",
                            "release/*", "~^:[", "..", "HEAD~1", "main@{1}", "v1.2.3-rc.1+build", "*", "1.x",
                            "||", ">=", "> <", " ", "\u00e9", "a" * 300])


@st.composite
def application(draw: st.DrawFn, app: str, env: str, *, rate: int) -> dict[str, Any]:
    helm: dict[str, Any] = {"valueFiles": [f"values-{env}.yaml"]}
    if draw(st.booleans()):
        helm["parameters"] = [{"name": "image.tag", "value": draw(st.sampled_from(IMAGE_TAGS))},
                              {"name": draw(st.sampled_from(["replicaCount", "", "a..b", "x[0]", "image"])),
                               "value": draw(st.sampled_from(WRONG[:8]).map(copy.deepcopy))}]
    if draw(st.integers(0, 3)) == 0:
        helm["values"] = draw(st.sampled_from(["image:\n  tag: '17'\n", "{{", "a: [", "- 1", ""]))
    if draw(st.integers(0, 3)) == 0:
        helm["valuesObject"] = {"image": {"tag": draw(st.sampled_from(IMAGE_TAGS))}, "replicaCount": 3}
    if draw(st.integers(0, 5)) == 0:
        helm["ignoreMissingValueFiles"] = True
    source = {"repoURL": draw(st.sampled_from([REPO_URL, REPO_URL, "git@github.com:example/gitops.git",
                                               "https://charts.example.com", "<GITOPS_REPO_URL>", ""])),
              "path": draw(st.sampled_from([app, app, f"./{app}", f"{app}/", "", ".", "/", "missing", "../x"])),
              "targetRevision": draw(_revision()), "helm": helm}
    spec: dict[str, Any] = {"project": "default",
                            "destination": {"server": "https://kubernetes.default.svc",
                                            "namespace": draw(st.sampled_from([env, env, "default", "", "prod"]))}}
    shape = draw(st.sampled_from(["source", "source", "sources", "hydrator", "none"]))
    if shape == "source":
        spec["source"] = source
    elif shape == "sources":
        spec["sources"] = [{"repoURL": REPO_URL, "targetRevision": draw(_revision()), "ref": "values"},
                           {"repoURL": "https://charts.example.com", "chart": app, "targetRevision": "1.0.0",
                            "helm": {"valueFiles": [f"$values/{app}/values-{env}.yaml", "$missing/x.yaml", "$values",
                                                    "$", "https://x/values.yaml"]}},
                           source]
    elif shape == "hydrator":
        spec["sourceHydrator"] = {"drySource": source, "syncSource": {"targetBranch": f"env/{env}", "path": app},
                                  "hydrateTo": {"targetBranch": draw(st.sampled_from([f"env/{env}-next", None, 5]))}}
    if draw(st.booleans()):
        spec["syncPolicy"] = draw(st.sampled_from([{"automated": {"prune": True, "selfHeal": True}},
                                                   {"automated": {"enabled": False}}, {"automated": True},
                                                   {"automated": None}, {"automated": "yes"}, {"automated": []}]))
    doc = {"apiVersion": draw(st.sampled_from(["argoproj.io/v1alpha1"] * 6 + ["argoproj.io/", "argoproj.io/v9", 5])),
           "kind": "Application", "metadata": {"name": f"{app}-{env}", "namespace": "argocd"}, "spec": spec}
    return draw(_mangle(doc, rate))


@st.composite
def application_set(draw: st.DrawFn, app: str, envs: list[str], *, rate: int) -> dict[str, Any]:
    template = draw(application(app, "{{env}}", rate=0))
    template.pop("apiVersion", None)
    template.pop("kind", None)
    template["metadata"]["name"] = draw(st.sampled_from([f"{app}-{{{{env}}}}", f"{app}-{{{{.env}}}}",
                                                         "{{-env-}}", "{{values.name}}-{{env}}", "{{ .a.b }}",
                                                         "{{env}}{{env}}", "{{", "}}{{"]))
    elements = [{"env": e, "values": {"name": app}, "a": {"b": e}} for e in envs]
    elements.extend(draw(st.lists(_wrong(), max_size=2)))
    list_gen = {"list": {"elements": elements}}
    generators = draw(st.sampled_from(["list", "matrix", "matrix3", "nested", "git", "mixed", "elementsYaml", "empty"]))
    gens: Any
    if generators == "list":
        gens = [list_gen]
    elif generators == "matrix":
        gens = [{"matrix": {"generators": [list_gen, {"list": {"elements": [{"region": "eu"}, {"region": "us"}]}}]}}]
    elif generators == "matrix3":
        gens = [{"matrix": {"generators": [list_gen, list_gen, list_gen]}}]
    elif generators == "nested":
        gens = [{"matrix": {"generators": [{"matrix": {"generators": [list_gen, list_gen]}}, list_gen]}}]
    elif generators == "git":
        gens = [{"git": {"repoURL": REPO_URL, "directories": [{"path": "*"}]}}, {"clusters": {}}]
    elif generators == "mixed":
        gens = [list_gen, {"merge": {"generators": [list_gen]}}, "not a dict", None, 5]
    elif generators == "elementsYaml":
        gens = [{"list": {"elements": [], "elementsYaml": "- env: prod"}}]
    else:
        gens = []
    doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": f"{app}-set"},
           "spec": {"generators": gens, "template": template, "goTemplate": draw(st.booleans())}}
    return draw(_mangle(doc, rate))


@st.composite
def argocd_case(draw: st.DrawFn) -> dict[str, Any]:
    app = draw(st.sampled_from(APPS[:4]))
    envs = draw(_env_pair())
    rate = draw(st.sampled_from([0, 1, 2, 4, 8]))
    files: dict[str, Any] = {f"{app}/Chart.yaml": f"apiVersion: v2\nname: {app}\nversion: 0.1.0\n",
                             f"{app}/values.yaml": "image:\n  repository: registry.example.com/team/app\n  tag: '1'\n"}
    for env in envs:
        if draw(st.integers(0, 5)):
            files[f"{app}/values-{env}.yaml"] = draw(values_doc(env)) if draw(st.integers(0, 3)) == 0 \
                else f"image:\n  tag: '{draw(st.sampled_from(IMAGE_TAGS))}'\nreplicaCount: 2\n"
    if draw(st.integers(0, 2)) == 0:
        files.update(draw(chart_templates(app)))
    docs: list[Any] = []
    if draw(st.integers(0, 3)):
        docs.extend(draw(application(app, env, rate=rate)) for env in envs)
    if draw(st.booleans()):
        docs.append(draw(application_set(app, envs, rate=rate)))
    docs.extend(draw(st.lists(_wrong(), max_size=1)))
    layout = draw(st.sampled_from(["one-file", "per-doc", "list", "json", "json-list", "mixed"]))
    if layout in ("list", "json-list"):
        docs = [{"apiVersion": "v1", "kind": "List", "items": draw(_mangle(docs, rate))}]
    for index, doc in enumerate(docs):
        as_json = layout in ("json", "json-list") or (layout == "mixed" and draw(st.booleans()))
        name = f"argocd/{app}-{index}.{'json' if as_json else 'yaml'}" if layout != "one-file" else "argocd/apps.yaml"
        text = _json_text(doc) if as_json else draw(yaml_text(st.just(py_to_tree(doc))) if draw(st.integers(0, 4)) == 0
                                                    else st.just(emit(py_to_tree(doc))))
        if layout == "one-file" and name in files and isinstance(files[name], str) and isinstance(text, str):
            files[name] += "---\n" + text
        else:
            files[name] = text
    return {"family": "argocd", "files": files, "special": [], "git": draw(_simple_git()), "args": draw(_check_args())}


def _json_text(doc: Any) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, tuple):  # a YAML tree node from _wrong(): JSON cannot say it, use its text
            return emit(value).strip()
        if isinstance(value, dict):
            return {str(plain(k)) if not isinstance(k, str) else k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value
    return json.dumps(plain(doc), indent=2)


# ---------------------------------------------------------------------------------------------
# Kustomize

@st.composite
def kustomize_case(draw: st.DrawFn) -> dict[str, Any]:
    envs = draw(_env_pair())
    rate = draw(st.sampled_from([0, 2, 5, 10]))
    files: dict[str, Any] = {"base/kustomization.yaml": "resources: [deployment.yaml]\n",
                             "base/deployment.yaml": "kind: Deployment\nspec: {template: {spec: {containers: "
                                                     "[{name: app, image: registry.example.com/team/app:1}]}}}\n"}
    root = draw(st.sampled_from(["overlays", "envs", "clusters", "deploy/overlays", "app/overlays"]))
    for env in envs:
        entries: list[Any] = [{"name": "registry.example.com/team/app", "newTag": draw(st.sampled_from(IMAGE_TAGS))},
                              {"name": "app", "newName": "registry.example.com/team/app", "digest": "sha256:" + "a" * 64},
                              {"name": "sidecar", "newName": "registry.example.com/side"}]
        entries = draw(_mangle(entries, rate))
        if isinstance(entries, list):
            entries.extend(draw(st.lists(_wrong(), max_size=2)))
        doc: dict[str, Any] = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                               "resources": ["../../base"],
                               "images": draw(st.sampled_from([entries] * 6 + [None, "images", {"a": 1}, 5, [[]]]))}
        if draw(st.integers(0, 4)) == 0:
            doc["helmCharts"] = [{"name": "app", "valuesFile": "values.yaml", "valuesInline": {"image": {"tag": "1"}}}]
        name = draw(st.sampled_from(["kustomization.yaml"] * 4 + ["kustomization.yml", "Kustomization"]))
        tree = draw(_mutate(py_to_tree(doc), rate=1)) if rate else py_to_tree(doc)
        files[f"{root}/{env}/{name}"] = draw(yaml_text(st.just(tree))) if draw(st.integers(0, 3)) == 0 else emit(tree)
    if draw(st.booleans()):
        for env in envs:
            app = draw(application("app", env, rate=rate // 2))
            if isinstance(app, dict) and isinstance(app.get("spec"), dict) and isinstance(app["spec"].get("source"), dict):
                app["spec"]["source"]["path"] = f"{root}/{env}"
                app["spec"]["source"].pop("helm", None)
            files[f"argocd/app-{env}.yaml"] = emit(py_to_tree(app))
    return {"family": "kustomize", "files": files, "special": [], "git": draw(_simple_git()),
            "args": draw(_check_args())}


# ---------------------------------------------------------------------------------------------
# .gitops-lint.yaml

@functools.cache
def _glob() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(["legacy/**", "**/testdata/**", "**", "*", "", "/", "**/", "[", "[!a-", "\\", "{a,b}",
                         "app/values-prod.yaml", "**/*.yaml", "a" * 5000, "**a" * 200 + "b", "*a" * 300 + "b",
                         "**/" * 300 + "x", "?" * 1000, "{env}/{env}", "{app}{app}", "(", "(?P<env>x)", "$^",
                         "***", "**.resources.requests.cpu", "**.**.**.**.**.**.**.**.**.**.**.**.x"]),
        st.text(st.sampled_from("*?/[]{}()ab.\\-!^$|+"), max_size=60),
        st.sampled_from(WRONG).map(copy.deepcopy),
    )


@functools.cache
def _severity() -> st.SearchStrategy[Any]:
    return st.sampled_from(["off", "error", "warning", "info"])


@functools.cache
def _bad_severity() -> st.SearchStrategy[Any]:
    return st.sampled_from(["ERROR", "fatal", "", None, 1, True, [], {}])


@st.composite
def _or_wrong(draw: st.DrawFn, good: st.SearchStrategy[Any], rate: int) -> Any:
    """A value from `good`, or (rate in 20) a wrong-typed one: most configs pass the schema and reach the code."""
    return draw(_wrong()) if draw(st.integers(0, 19)) < rate else draw(good)


@functools.cache
def _env_name() -> st.SearchStrategy[Any]:
    return st.sampled_from(ENVS + ENVS + ["PROD", "Prod", "prod-east", "stage2", "rehearsal", "x", "a" * 200, "dev"])


@st.composite
def config_doc(draw: st.DrawFn) -> Any:
    """`.gitops-lint.yaml`: mostly schema-valid (odd but legal values), with wrong types at `rate` in 20."""
    rate = draw(st.sampled_from([0, 0, 0, 1, 3]))
    doc: dict[str, Any] = {}
    if draw(st.booleans()):
        rules: dict[Any, Any] = {}
        for _ in range(draw(st.integers(0, 4))):
            rule = draw(_or_wrong(st.sampled_from(RULE_IDS), rate))
            if not isinstance(rule, str):
                rule = json.dumps(rule, default=str)
            if draw(st.booleans()):
                rules[rule] = draw(_or_wrong(_severity(), rate))
            else:
                rules[rule] = {draw(st.sampled_from(RULE_PARAMS)): draw(st.one_of(
                    _severity(), _bad_severity(), st.lists(_glob(), max_size=4), _glob(),
                    st.sampled_from(["24h", "1d", "90m", "abc", "-1h", "0", "99999999999999h", "1e400h", "h", "P1D",
                                     "0s", "1w", "1.5h", " 24h", "24H", "10" * 30 + "d"]),
                    st.sampled_from([{"path": "**.x", "compare": "presence"}, [{"path": 5}], [{"compare": "nope"}],
                                     [{"path": "**.resources", "compare": "presence"}], {"bad": {"a": 1}},
                                     {"prod": "error", "stage": "nope"}, True, 0, -1, 10 ** 30])))
                                 for _ in range(draw(st.integers(0, 3)))}
        doc["rules"] = rules
    if draw(st.booleans()):
        envs: dict[str, Any] = {}
        if draw(st.booleans()):
            envs["order"] = draw(_or_wrong(st.lists(_env_name(), min_size=1, max_size=6, unique=True), rate))
        if draw(st.booleans()):
            envs["aliases"] = draw(_or_wrong(st.dictionaries(_env_name(), st.lists(_env_name(), max_size=3),
                                                             max_size=3), rate))
        if draw(st.booleans()):
            envs["protected"] = draw(_or_wrong(st.lists(_env_name(), max_size=3), rate))
        if draw(st.booleans()):
            envs["production"] = draw(_or_wrong(_env_name(), rate))
        doc["environments"] = envs
    if draw(st.booleans()):
        doc["exclude"] = draw(_or_wrong(st.lists(_glob(), max_size=4), rate))
    if draw(st.booleans()):
        doc["layouts"] = draw(_or_wrong(st.lists(st.fixed_dictionaries(
            {"files": st.sampled_from(["charts/app-config/image-tags/{env}/{app}", "{env}/{app}.yaml",
                                       "**/{env}/**", "{env}", "{env}/{env}", "{app}/{env}/{app}", "{env}*{app}",
                                       "**/" * 50 + "{env}", "*{env}*" * 30, "[{env}]", "(x){env}", "{env}\\",
                                       "a/{env}/../../b", "app/values-{env}.yaml", "**{env}**", "{env}{app}",
                                       "/{env}/", "{env}/**/{app}"]) | _glob().map(lambda g: f"{g}{{env}}")},
            optional={"app": _or_wrong(st.sampled_from(["app", "", "{app}", "x/y"]), rate),
                      "envs": _or_wrong(st.lists(st.sampled_from(ENVS + ["PROD", ""]), max_size=3), rate)}),
            max_size=3), rate))
    if draw(st.booleans()):
        doc["exemptions"] = draw(_or_wrong(st.lists(st.fixed_dictionaries(
            {"rule": _or_wrong(st.sampled_from(RULE_IDS + ["*", "parity/*", "", "[", "**", "[!a-"]), rate),
             "reason": _or_wrong(st.sampled_from(["stage is scaled down until the Q3 review", "okay", "r" * 10000,
                                                  "\x1b[31mred\n"]), rate)},
            optional={"paths": st.lists(_glob().filter(lambda g: isinstance(g, str)), max_size=3),
                      "envs": st.lists(st.sampled_from(ENVS + ODD_ENVS), max_size=3),
                      "apps": st.lists(st.sampled_from(APPS + ["*", "[", ""]), max_size=2),
                      "expires": st.sampled_from(["2026-12-31", "2020-01-01", "2026-02-30", "0000-00-00", "9999-12-31",
                                                  "2026-13-01", "2026-00-10", "1970-01-01", "2026-12-31\n",
                                                  "\u0661\u0662\u0663\u0664-12-31"]) | _or_wrong(st.just("2026-1-1"), 20)}),
            max_size=3), rate))
    if rate and draw(st.integers(0, 9)) == 0:
        doc[draw(st.sampled_from(["unknown", "", "rules ", "Rules"]))] = draw(_wrong())
    if rate and draw(st.integers(0, 9)) == 0:
        return draw(_wrong())
    return doc


@st.composite
def config_case(draw: st.DrawFn) -> dict[str, Any]:
    app = "app"
    envs = draw(st.sampled_from([["dev", "stage", "prod"], ["dev", "prod"], ["qa", "uat", "live"], ENVS[:5]]))
    files: dict[str, Any] = {f"{app}/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n"}
    for env in envs:
        tag = draw(st.sampled_from(IMAGE_TAGS))
        reps = draw(st.integers(1, 3))
        comment = draw(st.sampled_from(["", "", "  # gitops-lint: ignore[parity/replicas] scaled down (FIN-12)",
                                        "  # gitops-lint: ignore[]", "  # gitops-lint: ignore[*]",
                                        "  # gitops-lint: ignore[" + "*a" * 200 + "b] x",
                                        "  # gitops-lint: ignore[parity/replicas,,] \x1b[31m"]))
        files[f"{app}/values-{env}.yaml"] = (f"image:\n  repository: registry.example.com/team/app\n  tag: '{tag}'\n"
                                             f"replicaCount: {reps}{comment}\n")
    if draw(st.booleans()):
        files[f"charts/app-config/image-tags/{draw(st.sampled_from(envs))}/app"] = "image_tag: '17'\n"
    config = draw(config_doc())
    name = draw(st.sampled_from([".gitops-lint.yaml"] * 5 + [".gitops-lint.yml"]))
    files[name] = draw(yaml_text(st.just(py_to_tree(config)))) if draw(st.integers(0, 3)) == 0 \
        else emit(py_to_tree(config), flow=draw(st.integers(0, 4)) == 0)
    return {"family": "config", "files": files, "special": draw(_special()) if draw(st.integers(0, 9)) == 0 else [],
            "git": draw(_simple_git()), "args": draw(_check_args())}


# ---------------------------------------------------------------------------------------------
# git histories

@functools.cache
def _ref_name() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["main", "master", "develop", "release/1.0", "v1.2.3", "1.2.3", "v1.3.0", "v2.0.0-rc.1",
                         "deadbeef", "0123456789abcdef0123456789abcdef01234567", "prod", "stage", "env/prod",
                         "HEAD-ish", "feature/x", "v1", "1.x", "latest", "a" * 200, "é", "refs", "tags/v1",
                         "origin/main"]),
        st.text(st.sampled_from("abv0123456789.-_/"), min_size=1, max_size=15),
    ).filter(_valid_ref)


def _valid_ref(name: str) -> bool:
    return (not name.startswith(("-", "/", ".")) and not name.endswith(("/", ".", ".lock")) and ".." not in name
            and "//" not in name and "/." not in name and "@{" not in name and name != "@"
            and not any(part.endswith(".lock") for part in name.split("/")))


@functools.cache
def _date() -> st.SearchStrategy[str]:
    return st.tuples(st.integers(0, 4_102_444_800), st.sampled_from(TZS)).map(lambda t: f"@{t[0]} {t[1]}")


@st.composite
def git_case(draw: st.DrawFn) -> dict[str, Any]:
    app = "app"
    envs = draw(st.sampled_from([["dev", "stage", "prod"], ["dev", "prod"], ["stage", "prod"], ["dev", "qa", "stage", "prod"]]))
    refs = draw(st.lists(_ref_name(), min_size=0, max_size=4, unique=True))
    base_files: dict[str, Any] = {f"{app}/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
                                  f"{app}/values.yaml": "image:\n  repository: registry.example.com/team/app\n  tag: '1'\n"}
    if draw(st.integers(0, 3)) == 0:
        base_files.update(draw(chart_templates(app)))
    use_argo = draw(st.integers(0, 3)) > 0
    commits = []
    for index in range(draw(st.integers(1, 5))):
        files: dict[str, Any] = dict(base_files) if index == 0 else {}
        for env in envs:
            if index == 0 or draw(st.integers(0, 2)) == 0:
                choice = draw(st.integers(0, 9))
                if choice == 0:
                    files[f"{app}/values-{env}.yaml"] = draw(values_doc(env))
                elif choice == 1:
                    files[f"{app}/values-{env}.yaml"] = None  # deleted
                else:
                    files[f"{app}/values-{env}.yaml"] = f"image:\n  tag: '{draw(st.sampled_from(IMAGE_TAGS))}'\n"
            if use_argo and (index == 0 or draw(st.integers(0, 4)) == 0):
                revision = draw(st.sampled_from(refs) if refs and draw(st.booleans()) else _revision())
                doc = draw(application(app, env, rate=draw(st.sampled_from([0, 0, 0, 1]))))
                if isinstance(doc, dict) and isinstance(doc.get("spec"), dict) and isinstance(doc["spec"].get("source"), dict):
                    doc["spec"]["source"]["targetRevision"] = revision
                files[f"argocd/{app}-{env}.yaml"] = emit(py_to_tree(doc))
        commit: dict[str, Any] = {"date": draw(_date()), "files": files}
        if refs and draw(st.integers(0, 2)) == 0:
            commit["branch"] = draw(st.sampled_from(refs))  # switch to (or create) this branch first
        if refs and draw(st.integers(0, 2)) == 0:
            commit["tag"] = draw(st.sampled_from(refs))
            commit["annotated"] = draw(st.booleans())
        commits.append(commit)
    extra_refs = draw(st.lists(st.fixed_dictionaries({
        "ref": st.sampled_from(["refs/remotes/origin/{}", "refs/tags/{}", "refs/heads/{}", "refs/remotes/upstream/{}"]),
        "name": _ref_name(), "to": st.sampled_from(["HEAD", "HEAD~1", "HEAD^{tree}", "first", "blob"])}), max_size=3))
    git = {"commits": commits, "refs": extra_refs, "dirty": draw(st.integers(0, 3)) == 0,
           "remote": draw(st.sampled_from([None, REPO_URL, "git@github.com:example/gitops.git", "https://other/x.git"])),
           "origin_head": draw(st.sampled_from([None, "main", "master", "missing"])),
           "shallow": draw(st.integers(0, 19)) == 0, "checkout": draw(st.sampled_from([None, None, "detached"] + refs))}
    args = draw(_check_args())
    if args[0] == "check" and draw(st.integers(0, 2)) == 0:
        args = args + ["--base", draw(st.sampled_from(refs + ["HEAD", "HEAD~1", "main", "origin/main", "nope", "v1.*"]))]
        if draw(st.booleans()):
            args.append(draw(st.sampled_from(["--policy-from-head", "--trust-new-suppressions"])))
    elif args[0] == "check" and draw(st.integers(0, 5)) == 0:
        args.append("--staged")
    if draw(st.integers(0, 5)) == 0:
        config = draw(config_doc())
        commits[0]["files"][".gitops-lint.yaml"] = emit(py_to_tree(config))
    return {"family": "git", "files": {}, "special": [], "git": git, "args": args}


FAMILIES = {
    "values": values_case,
    "argocd": argocd_case,
    "kustomize": kustomize_case,
    "config": config_case,
    "git": git_case,
}
