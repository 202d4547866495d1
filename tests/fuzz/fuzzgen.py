"""Hypothesis generators for the fuzz suite: six families of hostile GitOps repos.

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
    if draw(st.booleans()):  # clusters registered outside the repo (ApplicationSet clusters generators)
        doc["clusters"] = draw(_or_wrong(st.lists(st.fixed_dictionaries(
            {"name": _or_wrong(st.sampled_from(["workload-stage", "workload-prod", "in-cluster", "", "x" * 300]), rate)},
            optional={"server": _or_wrong(st.sampled_from(["https://kubernetes.default.svc", "https://prod.example.com",
                                                           "", "{{server}}"]), rate),
                      "labels": _or_wrong(st.dictionaries(st.sampled_from(["env", "environment", "enable_web", ""]),
                                                          st.sampled_from(ENVS + ["true", "", "{{x}}"]), max_size=3), rate),
                      "annotations": _or_wrong(st.dictionaries(st.sampled_from(["addons_repo_url", "addons_repo_basepath"]),
                                                               st.sampled_from([REPO_URL, "", "../../"]), max_size=2), rate)}),
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




# ---------------------------------------------------------------------------------------------
# layouts: helmfile, Flux, ApplicationSet generators, app of apps, declared/inferred promotion
# orders, Gateway API routes, and .gitops-lint.yaml's error messages

# a marker written into `.gitops-lint.yaml` content (never into a path): an exit-2 error that shows it
# echoed file content (configcheck's messages quote nothing from the file); see fuzzworker.judge
CANARY = "qqcanaryqq"

TEMPLATE_JUNK = [
    "{{", "}}", "}}{{", "{{ .a | b | c }}", "{{ index }}", '{{ index .a "b" 1 }}', "{{ .Environment.Name }}",
    "{{- .Environment.Name -}}", "{{{{ }}}}", '{{ "open }}', "{{/* c */}}", "{{ if .x }}", "{{ end }}", "{{.}}",
    "{{ .path.basename | upper | lower | trimPrefix \"a\" | default \"x\" }}", "{{-}}", "{{--}}", "{{ - }}",
    '{{ .Files.Get "../../etc/passwd" }}', '{{ printf "%s" .name }}', "{{ $x := 1 }}", "{{ .name.first }}",
    "{{ index .path.segments 999999999999 }}", "{{ index .path.segments -1 }}", "{{ .metadata.labels.env }}",
    '{{ default "a" }}', "{{ replace }}", "{{\n.a\n}}", "{{ .a\n", "${{ env }}", "{{ .Values | toYaml }}",
    "{{ .values.chart }}", "{{ .path.path }}", "{{path.basename}}", "{{name}}", "{{ .StateValues.API_DOCKER_TAG }}",
    "{{ requiredEnv \"HOME\" }}", '{{ exec "sh" (list "-c" "touch /tmp/pwned") }}', '{{ readFile "/etc/passwd" }}',
    "{{" * 300, "{{ .a }}" * 200, "{{ " + "| lower " * 1500 + "}}", "{{ " + '"' * 3001 + " }}",
    "{{ (((((((((((((((((((( .a ))))))))))))))))))))}}", "{{ .a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p }}", "{{ \u202e }}",
]
REGEX_JUNK = ["(a+)+$", ".*.*.*.*.*.*x", "[", "(?P<x>", "\\", "a{1,99999}", "^$", "a|b", "**", "?", "+",
              "(.*a){20}", "[^/]+", "\\d+", "$values", "$", ".", "..", "../..", "/etc/passwd", "a" * 300, "é/ü",
              "\u202e", " ", "{env}", "%s%n", "*" * 50, "a/" * 100, "(?=x)", "\\1", "[[:alpha:]]"]


@functools.cache
def _ints(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def _pick(draw: st.DrawFn, options: list[Any]) -> Any:
    """One of `options` (an index draw: cheaper than a new sampled_from, and it shrinks to the first)."""
    return copy.deepcopy(options[draw(_ints(0, len(options) - 1))])


def _one_in(draw: st.DrawFn, n: int) -> bool:
    return draw(_ints(0, n - 1)) == 0


@functools.cache
def _junk_text() -> st.SearchStrategy[str]:
    """Template and regex garbage, alone or spliced into a path."""
    part = st.sampled_from(TEMPLATE_JUNK + REGEX_JUNK + ["values", "envs", "prod", "x.yaml", "{{ .env }}"])
    return st.one_of(part, st.lists(part, min_size=1, max_size=4).map("/".join),
                     st.lists(part, min_size=1, max_size=3).map("".join))


@st.composite
def _s(draw: st.DrawFn, good: Any, rate: int) -> Any:
    """`good` (a string), or at `rate` in 20 template/regex garbage, or a wrong type."""
    roll = draw(_ints(0, 19))
    if roll < rate:
        return draw(_junk_text()) if roll % 2 == 0 else draw(_wrong())
    return good


def _doc_text(draw: st.DrawFn, doc: Any, rate: int) -> Any:
    """A document as a file: mangled at `rate`, sometimes with raw YAML damage on top."""
    doc = draw(_mangle(doc, rate)) if rate else doc
    tree = py_to_tree(doc)
    return draw(yaml_text(st.just(tree))) if rate and _one_in(draw, 6) else emit(tree)


def _docs_text(draw: st.DrawFn, docs: list[Any], rate: int) -> Any:
    texts = [_doc_text(draw, d, rate) for d in docs]
    if all(isinstance(t, str) for t in texts):
        return "---\n".join(texts)
    return texts[0]


def _counted(draw: st.DrawFn) -> int:
    """How many of a repeated thing: mostly a few, sometimes over the caps (1,000 generated items)."""
    return _pick(draw, [1, 2, 2, 3, 3, 3, 0, 1001, 1500, 5000] if _one_in(draw, 4) else [1, 2, 3])


# --- helmfile -------------------------------------------------------------------------------------

HELMFILE_RAW = """environments:
{envs}---
helmDefaults:
  kubeContext: {{{{ .Environment.Name }}}}
releases:
  - name: {name}
    chart: {chart}
    installed: {{{{ ne .Environment.Name "sandbox" | toYaml }}}}
    values:
      - ./values/api/{{{{ .Environment.Name }}}}.yaml
      - {junk}
      - ./overrides/api.yaml.gotmpl
{{{{- if eq .Environment.Name "production" }}}}
  - name: extra
    chart: ./charts/extra
{{{{- end }}}}
"""


def _env_file(draw: st.DrawFn, rate: int) -> Any:
    if _one_in(draw, 12):
        return {"repeat": 'K{n}_DOCKER_TAG: "{n}"\n', "times": 1500}
    keys = ["API_DOCKER_TAG", "ADMIN_DOCKER_TAG", "WORKER_IMAGE_TAG", "DOCKER_TAG", "_DOCKER_TAG", "api_DOCKER_TAG",
            "A_DOCKER_TAG", "GUNICORN_WORKERS", "API_DOCKER_TAG_", "ÄPI_DOCKER_TAG"]
    doc = {_pick(draw, keys): _pick(draw, IMAGE_TAGS) for _ in range(draw(_ints(1, 4)))}
    return _doc_text(draw, doc, rate)


@st.composite
def helmfile_part(draw: st.DrawFn, rate: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    root = _pick(draw, ["", "helmfile/", "deploy/payments/", "h/(a+)+$/"])
    name = _pick(draw, ["helmfile.yaml", "helmfile.yaml.gotmpl", "helmfile.yml", "helmfile.d/10-apps.yaml",
                        "helmfile.d/20-x.yaml.gotmpl"])
    path = root + name
    count = _counted(draw)
    envs = [f"env{i}" for i in range(count)] if count > 3 else \
        draw(st.lists(st.sampled_from(ENVS + ODD_ENVS), min_size=1, max_size=4, unique=True))
    files: dict[str, Any] = {f"{root}charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
                             f"{root}charts/api/values.yaml": "image:\n  repository: registry.example.com/api\n  tag: '1'\n"}
    environments: dict[str, Any] = {}
    for env in envs:
        values: list[Any] = [draw(_s(f"./overrides/{env}.env", rate))]
        if _one_in(draw, 4):
            values.append(_pick(draw, [{"API_DOCKER_TAG": "a1"}, "./overrides/{{ .Environment.Name }}.yaml",
                                       "../../../etc/passwd", "/etc/passwd", "./overrides/common.yaml.gotmpl",
                                       "overrides/missing.env"]))
        body: dict[str, Any] = {"values": values}
        if _one_in(draw, 3):
            body["missingFileHandler"] = _pick(draw, ["Warn", "Error", "info", "", 5, None])
        environments[env] = body
        if count <= 3 or _one_in(draw, 50):
            files[f"{root}overrides/{env}.env"] = _env_file(draw, rate)
            files[f"{root}values/api/{env}.yaml"] = "image:\n  tag: '2'\n"
    first: dict[str, Any] = {"environments": environments}
    if _one_in(draw, 3):
        first["bases"] = [_pick(draw, ["../common/environments.yaml", name, "./" + name, "base.yaml", "/etc/passwd",
                                       "{{ .Values.base }}", 5, None, "../" * 20 + "x.yaml", "base.yaml"])
                          for _ in range(draw(_ints(1, 3)))]
        files[f"{root}base.yaml"] = _doc_text(draw, {"bases": ["base.yaml"], "environments": {
            "stage": {"values": ["./overrides/stage.env"]}}}, rate)
    releases = [{"name": draw(_s("api", rate)), "chart": draw(_s("./charts/api", rate)),
                 "namespace": draw(_s("api", rate)),
                 "values": [draw(_s("./values/api/{{ .Environment.Name }}.yaml", rate)),
                            draw(_s("./values/{{ .Environment.Name }}/{{ .Release.Name }}.yaml", rate))]}
                for _ in range(1 if not _one_in(draw, 8) else 1001)]
    style = draw(_ints(0, 3))
    if style == 0:  # hand-written Go template text, with a garbage slot
        env_lines = "".join(f"  {json.dumps(e)}:\n    values:\n      - ./overrides/{e}.env\n" for e in envs[:50])
        text = HELMFILE_RAW.format(envs=env_lines, name=_pick(draw, ["api", "{{ .Values.n }}", "'a: b'"]),
                                   chart=_pick(draw, ["./charts/api", "{{ x }}", "..", "/"]),
                                   junk=draw(_junk_text()))
    else:
        text = _docs_text(draw, [first, {"releases": releases}], rate)
    if isinstance(text, str) and _one_in(draw, 2):  # template lines spliced between YAML lines
        lines = text.split("\n")
        for _ in range(draw(_ints(1, 3))):
            at = draw(_ints(0, len(lines)))
            lines.insert(at, _pick(draw, ['{{- if eq .Environment.Name "prod" }}', "{{- end }}", "{{ range .x }}",
                                          "{{", "  {{ .a | b | c }}: x", "{{ index }}", "{{/*", "*/}}",
                                          "  - {{ .Environment.Name }}.yaml", '{{ toYaml .Values | nindent 2 }}']))
        text = "\n".join(lines)
    files[path] = text
    history = [{f"{root}overrides/{envs[-1]}.env": 'API_DOCKER_TAG: "a9"\n'},
               {f"{root}overrides/{envs[0]}.env": 'API_DOCKER_TAG: "latest"\n'}]
    return files, history


# --- Flux -----------------------------------------------------------------------------------------

CHART_VERSIONS = ["6.5.0", ">=6.0.0", "6.x", "*", "~1", "^1.2", "", ">=", "1.0.0 - 2.0.0", "||", "a" * 300, 5, 1.5,
                  None, [], {"a": 1}, ">=1.0.0 <2.0.0 || ^3", "v1.2.3-rc.1+build", "1.2.3.4.5", "=" * 100, "x" * 5]


def _flux_release(draw: st.DrawFn, rate: int, env_tag: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"interval": "10m"}
    if _one_in(draw, 3):
        spec["chartRef"] = {"kind": _pick(draw, ["OCIRepository", "OCIRepository", "HelmChart", 5]), "name": "podinfo"}
    else:
        spec["chart"] = {"spec": {"chart": _pick(draw, ["podinfo", "./charts/web", "", 5]),
                                  "version": _pick(draw, CHART_VERSIONS),
                                  "sourceRef": {"kind": _pick(draw, ["HelmRepository", "GitRepository", "Bucket", 7]),
                                                "name": "podinfo"}}}
        if _one_in(draw, 4):
            spec["chart"]["spec"]["valuesFiles"] = [_pick(draw, ["values.yaml", "values-prod.yaml", "../../etc/passwd",
                                                                 "(a+)+$", 5])]
    spec["values"] = {"replicaCount": 2, "image": {"repository": "ghcr.io/stefanprodan/podinfo", "tag": env_tag}}
    if _one_in(draw, 2):
        spec["valuesFrom"] = [{"kind": _pick(draw, ["ConfigMap", "Secret", "ConfigMap"]), "name": "web-values",
                               "valuesKey": _pick(draw, ["values.yaml", "values.yaml", "other", 5, None, ""]),
                               **({"targetPath": "image.tag"} if _one_in(draw, 5) else {})}]
    return {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": {"name": draw(_s("podinfo", rate)), "namespace": "podinfo"}, "spec": spec}


@st.composite
def flux_part(draw: st.DrawFn, rate: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    envs = draw(st.lists(st.sampled_from(["staging", "production", "dev", "prod", "qa", "prod-east", "(a+)+$"]),
                         min_size=1, max_size=3, unique=True))
    files: dict[str, Any] = {}
    for env in envs:
        cluster = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                   "metadata": {"name": "apps", "namespace": "flux-system"},
                   "spec": {"interval": "10m", "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                            "path": draw(_s(f"./apps/{env}", rate)), "prune": True}}
        if _one_in(draw, 4):
            cluster["spec"]["postBuild"] = {"substitute": {"TAG": "1"}}
        if _one_in(draw, 6):
            cluster["spec"]["sourceRef"] = {"kind": "ExternalArtifact", "name": "x"}
        files[f"clusters/{env}/apps.yaml"] = _doc_text(draw, cluster, rate)
    resources: list[Any] = ["repository.yaml", "release.yaml"]
    if _one_in(draw, 3):
        resources += [_pick(draw, [".", "../podinfo", "../../..", "/etc", "https://github.com/x//y?ref=v1",
                                   "release.yaml", "missing.yaml", "(a+)+$", 5, None, "../chain/k0"])
                      for _ in range(draw(_ints(1, 3)))]
    if _one_in(draw, 10):
        resources = ["release.yaml"] * 1500
    files["apps/base/podinfo/kustomization.yaml"] = _doc_text(draw, {"resources": resources}, rate)
    files["apps/base/podinfo/repository.yaml"] = _docs_text(draw, [
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository", "metadata": {"name": "podinfo"},
         "spec": {"url": "https://stefanprodan.github.io/podinfo"}},
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository", "metadata": {"name": "podinfo"},
         "spec": {"url": "oci://ghcr.io/stefanprodan/charts/podinfo",
                  "ref": {_pick(draw, ["semver", "tag", "digest", "semverFilter", "branch"]): _pick(draw, CHART_VERSIONS)}}}],
        rate)
    count = 1001 if _one_in(draw, 10) else 1
    files["apps/base/podinfo/release.yaml"] = _docs_text(draw, [_flux_release(draw, rate, "6.5.0") for _ in range(count)]
                                                         if count == 1 else [_flux_release(draw, 0, "6.5.0")] * count, 0)
    if _one_in(draw, 5):  # a long chain of kustomizations, maybe closed into a cycle
        depth = _pick(draw, [5, 30, 120])
        for i in range(depth):
            nxt = f"../k{i + 1}" if i + 1 < depth else _pick(draw, ["../k0", "../../base/podinfo", "."])
            files[f"apps/chain/k{i}/kustomization.yaml"] = f"resources: [{json.dumps(nxt)}]\n"
    for env in envs:
        patch_doc = {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "podinfo"},
                     "spec": {"values": {"image": {"tag": "6.5.1"}}, "chart": {"spec": {"version": _pick(draw, CHART_VERSIONS)}}}}
        patch_text = emit(py_to_tree(draw(_mangle(patch_doc, rate))))
        kust: dict[str, Any] = {"resources": [draw(_s("../base/podinfo", rate))]}
        how = draw(_ints(0, 4))
        if how == 0:
            kust["patches"] = [{"target": {"kind": "HelmRelease", "name": draw(_s("podinfo", rate))},
                                "patch": _pick(draw, [patch_text, patch_text, "{{", "- op: replace\n  path: /spec/values/image/tag\n  value: 7\n",
                                                      "[", "a: *b", "~", patch_text * 3])}]
        elif how == 1:
            kust["patches"] = [{"path": draw(_s("podinfo-values.yaml", rate)), "target": {"kind": "HelmRelease"}}]
            files[f"apps/{env}/podinfo-values.yaml"] = patch_text
        elif how == 2:
            kust["patchesStrategicMerge"] = [_pick(draw, ["podinfo-values.yaml", patch_text, "../../../etc/passwd", 5])]
            files[f"apps/{env}/podinfo-values.yaml"] = patch_text
        else:
            kust["configMapGenerator"] = [{"name": draw(_s("web-values", rate)),
                                           "files": [_pick(draw, ["values.yaml=values.yaml", "values.yaml", "=", "a=b=c",
                                                                  "values.yaml=../../../etc/passwd", "(a+)+$=values.yaml",
                                                                  5])]}]
            files[f"apps/{env}/values.yaml"] = _doc_text(draw, _image_block(_pick(draw, IMAGE_TAGS)), rate)
            if how == 4:  # a ConfigMap of the build, its values as a string of YAML (embedded.py)
                inner = emit(draw(yaml_tree(max_leaves=6))) if _one_in(draw, 2) else "image:\n  tag: '7'\n"
                files[f"apps/{env}/cm.yaml"] = _doc_text(draw, {"apiVersion": "v1", "kind": "ConfigMap",
                                                                "metadata": {"name": "web-values"},
                                                                "data": {"values.yaml": inner}}, rate)
                kust["resources"].append("cm.yaml")
        files[f"apps/{env}/kustomization.yaml"] = _doc_text(draw, kust, rate)
    history = [{f"apps/{envs[-1]}/values.yaml": "image:\n  repository: ghcr.io/stefanprodan/podinfo\n  tag: '9'\n"}]
    return files, history


# --- ApplicationSet generators --------------------------------------------------------------------

def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


B64_JUNK = ["!!!", "====", "YQ", "YWJj\n", "", "a" * 5, _b64("\udcff\x00bad"), _b64("stage"), _b64("https://prod.k8s.example.com"),
            _b64("{{ .name }}"), _b64("a: [\n"), "Y" * 40000, 5, None, [], {"a": 1}, _b64("(a+)+$"), "\u00e9"]


def _cluster_secret(draw: st.DrawFn, env: str, rate: int) -> dict[str, Any]:
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret",
                           "metadata": {"name": f"cluster-{env}", "labels": {
                               "argocd.argoproj.io/secret-type": "cluster", "env": draw(_s(env, rate)), "team": "web"},
                                        "annotations": {"addons_repo_basepath": draw(_s("", rate))}}}
    if _one_in(draw, 2):
        doc["data"] = {"name": _pick(draw, B64_JUNK) if rate else _b64(env),
                       "server": _pick(draw, B64_JUNK) if rate else _b64(f"https://{env}.k8s.example.com")}
    else:
        doc["stringData"] = {"name": draw(_s(env, rate)), "server": f"https://{env}.k8s.example.com"}
    return doc


def _generator(draw: st.DrawFn, kind: str, envs: list[str], rate: int, depth: int) -> Any:
    if kind == "list":
        count = _counted(draw)
        elements: list[Any] = [{"env": e, "values": {"chart": "web"}} for e in envs] if count <= 3 else \
            [{"env": f"e{i}", "values": {"chart": "web"}} for i in range(count)]
        elements += draw(st.lists(_wrong(), max_size=1)) if rate else []
        body: dict[str, Any] = {"elements": elements}
        if _one_in(draw, 8):
            body["elementsYaml"] = _pick(draw, ["- env: prod", "{{ .x }}", "[", "- " * 500])
        return {"list": body}
    if kind == "git-files":
        return {"git": {"repoURL": REPO_URL, "revision": "HEAD", "files": [
            {"path": draw(_s("envs/*/config.json", rate))}, *([{"path": draw(_junk_text())}] if _one_in(draw, 3) else [])]}}
    if kind == "git-dirs":
        return {"git": {"repoURL": REPO_URL, "revision": _pick(draw, ["HEAD", "main", "v1.*", "(a+)+$"]),
                        "directories": [{"path": draw(_s("envs/*", rate))},
                                        {"path": draw(_s("envs/legacy", rate)), "exclude": _pick(draw, [True, "yes", 1])}]}}
    if kind == "clusters":
        selector = {"matchLabels": {"team": "web"},
                    "matchExpressions": [{"key": "env", "operator": _pick(draw, ["In", "NotIn", "Exists", "DoesNotExist", "Nope", 5]),
                                          "values": envs}]}
        return {"clusters": {"selector": draw(_mangle(selector, rate)), "values": {"chart": "web"}}}
    if kind == "matrix" and depth < 40:
        return {"matrix": {"generators": [_generator(draw, _pick(draw, ["list", "git-dirs", "clusters", "matrix"]),
                                                     envs, rate, depth + 1) for _ in range(2)]}}
    if kind == "merge":
        return {"merge": {"mergeKeys": [_pick(draw, ["env", "name", "", 5, "(a+)+$"])],
                          "generators": [_generator(draw, "list", envs, rate, depth + 1),
                                         _generator(draw, "clusters", envs, rate, depth + 1)]}}
    return _pick(draw, [{"plugin": {"configMapRef": {"name": "x"}}}, {"scmProvider": {}}, {"pullRequest": {}},
                        {"matrix": {"generators": "x"}}, {"list": None}, "not a dict", None, 5])


def _deep_matrix(depth: int) -> dict[str, Any]:
    gen: dict[str, Any] = {"list": {"elements": [{"env": "prod"}, {"env": "stage"}]}}
    for _ in range(depth):
        gen = {"matrix": {"generators": [gen, {"list": {"elements": [{"r": "a"}, {"r": "b"}]}}]}}
    return gen


@st.composite
def appset_part(draw: st.DrawFn, rate: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    envs = draw(st.lists(st.sampled_from(["stage", "prod", "dev", "staging", "production", "(a+)+$", "[x]", "é"]),
                         min_size=1, max_size=3, unique=True))
    go = draw(st.booleans())
    ref = (lambda name: "{{ ." + name + " }}") if go else (lambda name: "{{" + name + "}}")
    kind = _pick(draw, ["list", "git-files", "git-dirs", "clusters", "matrix", "merge", "deep", "other"])
    gens = [_deep_matrix(_pick(draw, [3, 12, 60]))] if kind == "deep" else [_generator(draw, kind, envs, rate, 0)]
    value_files = [draw(_s(f"values-{ref('env')}.yaml", rate)), draw(_s(f"clusters/{ref('name')}.yaml", rate)),
                   draw(_s(f"../../{ref('path.path')}/values.yaml", rate))]
    if _one_in(draw, 2):
        value_files.append(draw(_junk_text()))
    if _one_in(draw, 8):
        value_files += [f"{ref('values.chart')}/{'(a+)+$' * 5}/{ref('name')}-{i}.yaml" for i in range(300)]
    template = {"metadata": {"name": draw(_s(f"web-{ref('env')}", rate))},
                "spec": {"project": "default",
                         "source": {"repoURL": REPO_URL, "path": draw(_s(_pick(draw, ["charts/web", ref("path"),
                                                                                      f"charts/{ref('values.chart')}"]), rate)),
                                    "targetRevision": "HEAD",
                                    "helm": {"valueFiles": value_files, "ignoreMissingValueFiles": _pick(draw, [True, True, False, "yes"])}},
                         "destination": {"server": draw(_s(ref("server") if kind == "clusters" else "https://kubernetes.default.svc", rate)),
                                         "namespace": draw(_s(ref("env"), rate))}}}
    if _one_in(draw, 3):
        template["spec"]["syncPolicy"] = {"automated": {"prune": True}}
    spec: dict[str, Any] = {"generators": gens, "template": template}
    if go:
        spec["goTemplate"] = True
        spec["goTemplateOptions"] = [_pick(draw, ["missingkey=error", "missingkey=zero", "", 5])]
    if _one_in(draw, 4):
        spec["templatePatch"] = _pick(draw, ["spec:\n  syncPolicy:\n    automated:\n      prune: {{ .auto }}\n",
                                             "{{ if .x }}a: 1{{ end }}", "[", "{{" * 50, 5, "spec: {{ toYaml .x }}"])
    if _one_in(draw, 4):
        spec["strategy"] = {"type": "RollingSync", "rollingSync": {"steps": draw(_mangle(
            [{"matchExpressions": [{"key": "env", "operator": "In", "values": [e]}]} for e in envs]
            + ([{"matchExpressions": draw(_wrong())}] if rate else []), rate))}}
    doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "web"}, "spec": spec}
    files: dict[str, Any] = {"appsets/web.yaml": _doc_text(draw, doc, rate),
                             "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
                             "charts/web/values.yaml": "image:\n  repository: registry.example.com/web\n  tag: 1.0.0\n"}
    for env in envs:
        files[f"charts/web/values-{env}.yaml"] = "image:\n  tag: 1.0.0\n"
        files[f"envs/{env}/values.yaml"] = "image:\n  tag: 1.0.0\n"
        files[f"envs/{env}/config.json"] = _pick(draw, ['{"namespace": "web-%s"}\n' % env, "{", "[1, 2]", '{"a": ' * 500 + "1" + "}" * 500,
                                                        json.dumps({f"k{i}": i for i in range(1500)}), '{"env": null}'])
        files[f"clusters/{env}.yaml"] = _doc_text(draw, _cluster_secret(draw, env, rate), rate)
    if _one_in(draw, 6):
        files["clusters/many.yaml"] = "---\n".join(emit(py_to_tree(_cluster_secret(draw, f"c{i}", 0))) for i in range(1001))
    history = [{f"charts/web/values-{envs[-1]}.yaml": "image:\n  tag: 1.0.1\n"}]
    return files, history


# --- app of apps ----------------------------------------------------------------------------------

APPS_TEMPLATE = """{{- range .Values.applications }}
{{- $tags := $.Files.Get (printf "tags/%s/%s.yaml" $.Values.env .name) | fromYaml }}
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ .name }}-{{ $.Values.env }}
spec:
  project: default
  source:
    repoURL: https://example.com/org/gitops.git
    path: charts/web
    targetRevision: {{ $.Values.targetRevision }}
    helm:
      values: |
        image:
          repository: registry.example.com/team/{{ .name }}
          tag: {{ $tags.image_tag | quote }}
  destination:
    server: https://kubernetes.default.svc
    namespace: {{ .namespace | default (printf "%s-%s" .name $.Values.env) }}
---
{{- end }}
"""
APPS_JUNK_TEMPLATES = [
    '{{ .Files.Get "../../../etc/passwd" }}\nkind: Application\n',
    '{{ range $i := until 3000 }}---\nkind: Application\nmetadata: {name: "a{{ $i }}"}\nspec: {source: {path: x}}\n{{ end }}',
    "kind: Application\nmetadata:\n  name: {{ .Values.env }}\nspec: {{ .Values.env }}\n",
    "kind: Application\nspec:\n  source:\n    helm:\n      values: {{ .Files.Get \"tags/x\" | quote }}\n",
    '{{ (.Files.Glob "**").AsConfig }}\nkind: Application\n', '{{ .Files.Get "templates" }}\nkind: Application\n',
]


@st.composite
def appofapps_part(draw: st.DrawFn, rate: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    envs = draw(st.lists(st.sampled_from(["staging", "production", "dev", "prod", "é"]), min_size=1, max_size=3, unique=True))
    files: dict[str, Any] = {
        "apps/Chart.yaml": "apiVersion: v2\nname: apps\nversion: 0.1.0\n",
        "apps/values.yaml": 'env: ""\ntargetRevision: HEAD\napplications: []\n',
        "apps/templates/applications.yaml": APPS_TEMPLATE if not _one_in(draw, 3) else _pick(draw, APPS_JUNK_TEMPLATES + HOSTILE_TEMPLATES),
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
        "charts/web/values.yaml": "image:\n  repository: registry.example.com/team/web\n  tag: '0.1'\n"}
    for env in envs:
        count = _counted(draw)
        apps = [{"name": draw(_s("web", rate)) if count <= 3 else f"w{i}", "namespace": draw(_s(f"web-{env}", rate))}
                for i in range(min(count, 1500))]
        files[f"apps/values-{env}.yaml"] = _doc_text(draw, {"env": draw(_s(env, rate)), "targetRevision": draw(_s("HEAD", rate)),
                                                            "applications": apps}, rate)
        files[f"apps/tags/{env}/web.yaml"] = _pick(draw, ['image_tag: "1.0"\n', "image_tag: [\n", "- 1\n", "image_tag: *a\n", ""])
    history = [{f"apps/tags/{envs[-1]}/web.yaml": 'image_tag: "1.2"\n'}]
    return files, history


def _chart_specials(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Symlinks and FIFOs where a chart's templates and `.Files.Get` look."""
    if not _one_in(draw, 3):
        return []
    return draw(st.lists(st.fixed_dictionaries({
        "kind": st.sampled_from(["symlink", "symlink", "fifo"]),
        "path": st.sampled_from(["apps/templates/link.yaml", "apps/tags/prod/web.yaml", "apps/tags/staging",
                                 "apps/templates/sub", "charts/web/templates/x.yaml", "apps/values-prod.yaml",
                                 "helmfile/overrides/prod.env", "envs/prod/config.json", "clusters/prod.yaml"]),
        "target": st.sampled_from(["/etc/passwd", "/dev/zero", "..", "../..", "loop", "/proc/self/environ",
                                   "applications.yaml", "/nonexistent"])}), min_size=1, max_size=2))


# --- declared and inferred promotion orders -------------------------------------------------------

@st.composite
def promotion_part(draw: st.DrawFn, rate: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    kust = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\nimages:\n"
            "  - name: ghcr.io/acme/guestbook\n    newTag: {tag}\n")
    shape = _pick(draw, ["chain", "cycle", "self", "many", "missing", "promoter"])
    names = _pick(draw, [["latest", "stable"], ["canary", "main", "blue"], ["a(", "b[", "c+"]])
    if shape == "many":
        names = [f"s{i}" for i in range(_pick(draw, [600, 1200]))]
    files: dict[str, Any] = {"guestbook/base/kustomization.yaml": "resources: [deployment.yaml]\n",
                             "guestbook/base/deployment.yaml": "kind: Deployment\nspec: {template: {spec: {containers: "
                                                               "[{name: app, image: 'ghcr.io/acme/guestbook:0.1.0'}]}}}\n"}
    for name in names[:5]:
        files[f"guestbook/overlays/{name}/kustomization.yaml"] = kust.format(tag="1.0.0")
    if shape == "promoter":
        doc = {"apiVersion": "promoter.argoproj.io/v1alpha1", "kind": "PromotionStrategy", "metadata": {"name": "web"},
               "spec": {"environments": [{"branch": draw(_s(f"environment/{n}", rate))} for n in names]}}
        files["promotion.yaml"] = _doc_text(draw, doc, rate)
    else:
        stages = []
        for index, name in enumerate(names):
            if shape == "self":
                sources: Any = {"stages": [name]}
            elif shape == "cycle":
                sources = {"stages": [names[index - 1]]}  # the first takes from the last: a cycle
            elif shape == "missing":
                sources = {"stages": ["nowhere", 5, None]}
            else:
                sources = {"direct": True} if index == 0 else {"stages": [names[index - 1]]}
            stages.append({"apiVersion": "kargo.akuity.io/v1alpha1", "kind": "Stage",
                           "metadata": {"name": name, "namespace": "guestbook"},
                           "spec": {"requestedFreight": [{"origin": {"kind": "Warehouse", "name": "guestbook"},
                                                          "sources": sources}]}})
        files["kargo/stages.yaml"] = _docs_text(draw, stages, rate) if len(stages) < 10 else \
            "---\n".join(emit(py_to_tree(s)) for s in stages)
    history = [{f"guestbook/overlays/{names[0]}/kustomization.yaml": kust.format(tag="1.1.0")},
               {f"guestbook/overlays/{names[min(1, len(names) - 1)]}/kustomization.yaml": kust.format(tag="1.2.0")}]
    return files, history


@st.composite
def inferred_part(draw: st.DrawFn, rate: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Sibling overlays whose names say nothing; history orders them (inferorder.py)."""
    parent = _pick(draw, ["overlays", "envs", "environments", "clusters", "deploy/overlays"])
    names = _pick(draw, [["canary", "main"], ["blue", "green"], ["a", "b", "c"], ["(a+)+$", "[x]"], ["x", "x.y", "x-y"]])
    style = _pick(draw, ["kustomize", "values"])

    def content(tag: Any) -> str:
        if style == "values":
            return f"image:\n  repository: registry.example.com/app\n  tag: {json.dumps(tag)}\n"
        return ("images:\n  - name: registry.example.com/app\n    newTag: " + json.dumps(tag) + "\n")

    def where(name: str) -> str:
        return f"app/values-{name}.yaml" if style == "values" else f"{parent}/{name}/kustomization.yaml"

    files: dict[str, Any] = {where(n): content("1") for n in names}
    if style == "values":
        files["app/Chart.yaml"] = "apiVersion: v2\nname: app\nversion: 0.1.0\n"
    history: list[dict[str, Any]] = []
    for step in range(draw(_ints(1, 8))):
        name = names[draw(_ints(0, len(names) - 1))] if rate else names[step % len(names)]
        tag = _pick(draw, IMAGE_TAGS + [5, None, [1], "x" * 200]) if rate and _one_in(draw, 3) else str(2 + step // len(names))
        history.append({where(name): content(tag) if not _one_in(draw, 10) else _pick(draw, ["[", None, "images: 5\n"])})
    return files, history


# --- Gateway API ----------------------------------------------------------------------------------

HTTPROUTE_TEMPLATE = """{{- if .Values.httpRoute.enabled }}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ .Release.Name }}
spec:
  parentRefs: {{- toYaml .Values.httpRoute.parentRefs | nindent 4 }}
  hostnames: {{- toYaml .Values.httpRoute.hostnames | nindent 4 }}
  rules: {{- toYaml .Values.httpRoute.rules | nindent 4 }}
{{- end }}
"""


@st.composite
def gateway_part(draw: st.DrawFn, rate: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    listeners = [{"name": "http", "protocol": "HTTP", "port": 80, "hostname": "*.example.com"},
                 {"name": "https", "protocol": "HTTPS", "port": 443, "tls": {"certificateRefs": [{"name": "c"}]}}]
    if _one_in(draw, 8):
        listeners = [{"name": f"l{i}", "protocol": "HTTP", "port": 8000 + i % 1000} for i in range(1500)]
    gateway = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
               "metadata": {"name": "gw", "namespace": draw(_s("infra", rate))},
               "spec": {"gatewayClassName": "x", "listeners": listeners}}
    files: dict[str, Any] = {"infrastructure/gateway.yaml": _doc_text(draw, gateway, rate),
                             "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n"}
    route = {"enabled": _pick(draw, [True, True, False, "false", "yes", None]),
             "parentRefs": [{"name": draw(_s("gw", rate)), "namespace": draw(_s("infra", rate)),
                             "sectionName": _pick(draw, ["http", "https", None, "nope", 5]),
                             "port": _pick(draw, [None, 80, 443, "80", 1e400, -1]), "kind": _pick(draw, ["Gateway", "Service", None])}],
             "hostnames": [draw(_s("app.example.com", rate))],
             "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": _pick(draw, ["https", "http", 5])}}]}]
             if _one_in(draw, 2) else [{"backendRefs": [{"name": "app", "port": 80}]}]}
    for env in draw(st.lists(st.sampled_from(["dev", "stage", "prod"]), min_size=1, max_size=3, unique=True)):
        files[f"app/values-{env}.yaml"] = _doc_text(draw, {**_image_block("1"), "httpRoute": draw(_mangle(route, rate))}, rate)
    if _one_in(draw, 2):
        files["app/templates/httproute.yaml"] = HTTPROUTE_TEMPLATE
    if _one_in(draw, 3):
        files["routes/route.yaml"] = _doc_text(draw, {"apiVersion": "gateway.networking.k8s.io/v1",
                                                      "kind": _pick(draw, ["HTTPRoute", "GRPCRoute"]),
                                                      "metadata": {"name": "r"}, "spec": route}, rate)
    return files, [{"app/values-prod.yaml": "image:\n  repository: registry.example.com/team/app\n  tag: '2'\n"}]


# --- .gitops-lint.yaml whose content must never show in an error ----------------------------------

def _canaried(value: Any, draw: st.DrawFn) -> Any:
    """`value` with CANARY put into some of its strings and keys."""
    if isinstance(value, dict):
        return {(k + CANARY if isinstance(k, str) and _one_in(draw, 3) else k): _canaried(v, draw) for k, v in value.items()}
    if isinstance(value, list):
        return [_canaried(v, draw) for v in value]
    if isinstance(value, str) and _one_in(draw, 2):
        return value + CANARY
    return value


@st.composite
def config_part(draw: st.DrawFn, rate: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    config = _canaried(draw(config_doc()), draw)
    if not isinstance(config, dict) or _one_in(draw, 3):
        config = {"rules": {f"parity/drift{CANARY}": "error", "promotion/untested-tag": {f"min_soak{CANARY}": f"1d{CANARY}"}},
                  "environments": {"order": [f"dev{CANARY}", "prod"], "aliases": {"prod": [5, CANARY]}},
                  f"unknown{CANARY}": 1, "exemptions": [{"rule": "*", "reason": CANARY, "expires": f"2026-02-30{CANARY}"}]}
    text = emit(py_to_tree(config))
    if _one_in(draw, 4):
        text = _pick(draw, [f"{CANARY}: [\n", f"rules: {{{CANARY}\n", f"- {CANARY}\n", f"\t{CANARY}: 1\n", text + f"\n{CANARY}: *x\n"])
    return {".gitops-lint.yaml": text}, []


@st.composite
def argo_overlays_part(draw: st.DrawFn, rate: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Argo CD objects in a base that env overlays patch with Kustomize (argocd-kustomize-overlays):
    JSON 6902 and merge patches, remote and escaping bases, an overlay including itself."""
    kind = _pick(draw, ["ApplicationSet", "Application"])
    template = {"metadata": {"name": draw(_s("web-{{environment}}" if kind == "ApplicationSet" else "web", rate))},
                "spec": {"project": "default",
                         "source": {"repoURL": REPO_URL, "path": draw(_s("components/web/staging", rate)),
                                    "targetRevision": draw(_s(_pick(draw, ["main", "HEAD", "v1.2.0", ""]), rate))},
                         "destination": {"server": "https://kubernetes.default.svc", "namespace": "web"},
                         "syncPolicy": {"automated": draw(_s({"prune": True}, rate))}}}
    if kind == "ApplicationSet":
        doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, "metadata": {"name": "web"},
               "spec": {"generators": [{"list": {"elements": [{"environment": "staging"}]}}], "template": template}}
    else:
        doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, **template}
    files: dict[str, Any] = {"argo/base/web.yaml": _doc_text(draw, doc, rate),
                             "argo/base/kustomization.yaml": _pick(draw, ["resources: [web.yaml]\n",
                                                                         "resources: [web.yaml, ../base]\n",
                                                                         "resources: web.yaml\n", "[\n"])}
    automated = "/spec/template/spec/syncPolicy/automated" if kind == "ApplicationSet" else "/spec/syncPolicy/automated"
    for env in draw(st.lists(st.sampled_from(["staging", "production", "prod", "(a+)+$", "prd-eu"]), min_size=1,
                             max_size=3, unique=True)):
        resources = [_pick(draw, ["../../base", "../../base", "https://github.com/x/y//base?ref=v1",
                                  "../../../../etc", ".", "../" * 40 + "x", draw(_junk_text())])]
        patch = _pick(draw, [f"- op: remove\n  path: {automated}\n",
                             "- op: replace\n  path: /spec/template/spec/source/targetRevision\n  value: v2.0.0\n",
                             f"- op: add\n  path: {automated}\n  value: {{selfHeal: true}}\n",
                             "- op: remove\n  path: /nope/0\n", "[", "- op: copy\n" * 200,
                             f"apiVersion: argoproj.io/v1alpha1\nkind: {kind}\nmetadata: {{name: web}}\nspec: {{}}\n"])
        target = draw(_mangle({"kind": kind, "name": "web"}, rate))
        files[f"argo/overlays/{env}/patch.yaml"] = patch
        files[f"argo/overlays/{env}/kustomization.yaml"] = _doc_text(
            draw, {"resources": resources, "patches": [{"path": "patch.yaml", "target": target}]}, rate)
    for env in ("staging", "production"):
        files[f"components/web/{env}/kustomization.yaml"] = "images:\n  - name: registry.example.com/web\n    newTag: 1.0.0\n"
    return files, [{"components/web/production/kustomization.yaml":
                    "images:\n  - name: registry.example.com/web\n    newTag: 1.0.1\n"}]


# --- the family -----------------------------------------------------------------------------------

LAYOUT_PARTS = {"helmfile": helmfile_part, "flux": flux_part, "appset": appset_part, "appofapps": appofapps_part,
                "promotion": promotion_part, "inferred": inferred_part, "gateway": gateway_part, "config": config_part,
                "argooverlays": argo_overlays_part}


@st.composite
def layouts_case(draw: st.DrawFn) -> dict[str, Any]:
    """One to three of today's layouts in one repo (they share discovery), each a valid skeleton
    mutated at one rate: wrong types, template and regex garbage, counts over the caps, cycles."""
    rate = _pick(draw, [0, 0, 1, 2, 4, 8])
    kinds = draw(st.lists(st.sampled_from(sorted(LAYOUT_PARTS)), min_size=1, max_size=3, unique=True))
    files: dict[str, Any] = {}
    history: list[dict[str, Any]] = []
    for kind in kinds:
        part_files, part_history = draw(LAYOUT_PARTS[kind](rate))
        files.update(part_files)
        history.extend(part_history)
    special = _chart_specials(draw)
    mode = _pick(draw, ["none", "simple", "history", "history", "history"])
    if "inferred" in kinds and mode != "none":
        mode = "history"
    if mode == "none":
        git = None
    elif mode == "simple":
        git = draw(_simple_git())
    else:
        start = 1_767_225_600  # 2026-01-01
        commits = [{"date": f"@{start} +0000", "files": "*"}]
        for index, change in enumerate(history[:12]):
            commits.append({"date": f"@{start + 86_400 * (index + 1) + draw(_ints(0, 3600))} +0000", "files": change})
        git = {"commits": commits, "dirty": _one_in(draw, 5), "remote": _pick(draw, [REPO_URL, REPO_URL, None]),
               "shallow": _one_in(draw, 20)}
    return {"family": "layouts", "files": files, "special": special,
            "git": git, "args": draw(_check_args())}


FAMILIES = {
    "values": values_case,
    "argocd": argocd_case,
    "kustomize": kustomize_case,
    "config": config_case,
    "git": git_case,
    "layouts": layouts_case,
}
