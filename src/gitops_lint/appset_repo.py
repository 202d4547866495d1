"""What ApplicationSet generators read from the repository under lint: its file list, its YAML and
JSON files (through the discovery cache, so the work tree, the index and a PR's base all work), and
the Argo CD cluster Secrets it defines (`argocd.argoproj.io/secret-type: cluster`).

One RepoView serves a whole discovery run, so it also holds the run's budget of generated
Applications (MAX_TOTAL over all ApplicationSet files).
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, NamedTuple

from gitops_lint.errors import YamlProblem
from gitops_lint.yamlio import type_name

MAX_TOTAL = 10_000  # generated Applications per discovery run, over every ApplicationSet
MAX_CLUSTERS = 1000  # cluster Secrets read
SECRET_TYPE = "argocd.argoproj.io/secret-type"
CONFIG_FILE = ".gitops-lint.yaml (clusters)"  # where a declared cluster comes from
_SUFFIXES = (".yaml", ".yml", ".json")


class Cluster(NamedTuple):
    """An Argo CD cluster as its Secret declares it."""

    name: str
    server: str
    project: str
    labels: dict[str, str]
    annotations: dict[str, str]
    file: str


class RepoView:
    """The repository as generators see it; `is_local` tells a repoURL of this repository."""

    def __init__(self, cache: Any, files: list[str], is_local: Callable[[str], bool] = lambda url: False,
                 declared: tuple[dict[str, Any], ...] = (), env_words: frozenset[str] = frozenset()) -> None:
        self.cache, self.files, self.is_local = cache, sorted(files), is_local
        self.declared = declared  # `clusters:` of .gitops-lint.yaml (schema-checked when loaded)
        self.env_words = env_words  # every name that stands for an env: stand-in clusters (appset_infer)
        self.remaining = MAX_TOTAL
        self.stand_ins: list[tuple[str, Any]] = []  # (ApplicationSet, appset_infer.Inferred) modeled on stand-ins
        self._clusters: tuple[list[Cluster], list[str]] | None = None
        self._dirs: list[str] | None = None

    def data(self, path: str) -> Any:
        """The first document of a repo file, or None when it cannot be used (a yaml/* finding)."""
        loaded = self.cache.load(path)
        return loaded.docs[0].data if loaded is not None and loaded.docs else None

    def directories(self) -> list[str]:
        if self._dirs is None:
            self._dirs = sorted({"/".join(f.split("/")[:i]) for f in self.files for i in range(1, f.count("/") + 1)})
        return self._dirs

    def clusters(self) -> tuple[list[Cluster], list[str]]:
        """The cluster Secrets in the repo, and notices about the ones that could not be read."""
        if self._clusters is None:
            self._clusters = self._find_clusters()
        return self._clusters

    def _find_clusters(self) -> tuple[list[Cluster], list[str]]:
        found: list[Cluster] = []
        notes: list[str] = []
        for path in self.files:
            if not path.endswith(_SUFFIXES) or len(found) > MAX_CLUSTERS:
                continue
            try:
                raw = self.cache.snapshot.read(path)
            except YamlProblem:
                continue  # reported by the yaml/* rules when the file is read elsewhere
            if SECRET_TYPE.encode() not in raw:
                continue
            loaded = self.cache.load(path, data=raw)
            for doc in loaded.docs if loaded is not None else ():
                cluster = _cluster(doc.data, path, notes)
                if cluster is not None:
                    found.append(cluster)
        for entry in self.declared:  # clusters whose Secrets live outside the repo, declared in the config
            found.append(Cluster(entry["name"], entry.get("server", ""), entry.get("project", ""),
                                 dict(entry.get("labels", {})), dict(entry.get("annotations", {})), CONFIG_FILE))
        if len(found) > MAX_CLUSTERS:
            notes.append(f"{found[MAX_CLUSTERS].file}: more than {MAX_CLUSTERS} cluster Secrets; the first "
                         f"{MAX_CLUSTERS} are modeled")
        return found[:MAX_CLUSTERS], notes


def _cluster(data: Any, path: str, notes: list[str]) -> Cluster | None:
    if not isinstance(data, dict) or data.get("kind") != "Secret":
        return None
    meta = data.get("metadata")
    labels = scalars(meta.get("labels") if isinstance(meta, dict) else None)
    if labels.get(SECRET_TYPE) != "cluster":
        return None
    where = f"{path}: cluster Secret"
    fields = {}
    for key in ("name", "server", "project"):
        value = _secret_value(data, key)
        if isinstance(value, str) and not value.startswith("?"):
            fields[key] = value
        elif value is not None:
            notes.append(f"{where}: {value[1:]}; the Secret is not modeled")
            return None
    if "server" not in fields:
        notes.append(f"{where}: no stringData.server (or data.server); the Secret is not modeled")
        return None
    name = fields.get("name") or (meta.get("name") if isinstance(meta, dict) else None)
    if not isinstance(name, str) or not name:
        notes.append(f"{where}: no stringData.name; the Secret is not modeled")
        return None
    return Cluster(name, fields["server"], fields.get("project", ""), labels,
                   scalars(meta.get("annotations") if isinstance(meta, dict) else None), path)


def _secret_value(data: dict[Any, Any], key: str) -> str | None:
    """stringData.<key>, else data.<key> decoded; "?why" when present but unusable."""
    plain, encoded = data.get("stringData"), data.get("data")
    if isinstance(plain, dict) and key in plain:
        value = plain[key]
        return value if isinstance(value, str) else f"?stringData.{key} is not text"
    if isinstance(encoded, dict) and key in encoded:
        try:
            return base64.b64decode(str(encoded[key]), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return f"?data.{key} is not base64 text"
    return None


def scalars(data: Any) -> dict[str, str]:
    """Labels or annotations: the scalar ones, as text (a YAML `true` label value is 'true')."""
    if not isinstance(data, dict):
        return {}
    out = {}
    for key, value in data.items():
        if isinstance(key, str) and isinstance(value, (str, int, float, bool)):
            out[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out


def normalized(name: str) -> str:
    """Argo CD's `nameNormalized`/`basenameNormalized`: lower case, a DNS-1123 subdomain's characters."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-.") else "-" for c in name.lower())[:253]


def selector(raw: Any, where: str, notes: list[str]) -> Callable[[dict[str, str]], bool] | None:
    """A Kubernetes label selector (`matchLabels`, `matchExpressions` with In, NotIn, Exists,
    DoesNotExist) as a predicate over labels; None (and a notice) when it cannot be read."""
    if raw is None:
        return lambda labels: True
    if not isinstance(raw, dict):
        notes.append(f"{where} is {type_name(raw)}, expected a mapping")
        return None
    wanted = raw.get("matchLabels") or {}
    expressions = raw.get("matchExpressions") or []
    if not isinstance(wanted, dict) or not isinstance(expressions, list):
        notes.append(f"{where}.matchLabels must be a mapping and {where}.matchExpressions a list")
        return None
    pairs = scalars(wanted)
    if len(pairs) != len(wanted):
        notes.append(f"{where}.matchLabels has a value that is not text")
        return None
    tests = []
    for index, expression in enumerate(expressions):
        test = _expression(expression)
        if test is None:
            notes.append(f"{where}.matchExpressions[{index}] is not a key with an operator In, NotIn, Exists "
                         "or DoesNotExist (and values: a list for In and NotIn)")
            return None
        tests.append(test)
    return lambda labels: all(labels.get(k) == v for k, v in pairs.items()) and all(t(labels) for t in tests)


def _expression(raw: Any) -> Callable[[dict[str, str]], bool] | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("key"), str):
        return None
    key, operator, values = raw["key"], raw.get("operator"), raw.get("values")
    if operator in ("Exists", "DoesNotExist"):
        return (lambda labels: key in labels) if operator == "Exists" else (lambda labels: key not in labels)
    if operator not in ("In", "NotIn") or not isinstance(values, list):
        return None
    allowed = set(scalars({str(i): v for i, v in enumerate(values)}).values())
    if operator == "In":
        return lambda labels: labels.get(key) in allowed
    return lambda labels: labels.get(key) not in allowed
