"""Immutable records shared by every layer: the ground floor of the data flow."""
from __future__ import annotations

import enum
from pathlib import Path
from typing import Any, NamedTuple

KeyPath = tuple[Any, ...]  # mapping keys (str) and list indices (int), outermost first


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OFF = "off"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1, "off": 0}[self.value]


class Position(NamedTuple):
    """1-based line and column of a key or value in a file."""

    line: int
    column: int


class Origin(NamedTuple):
    """Where a value is set: a repo-relative file and the key path inside its document."""

    path: str
    keypath: KeyPath | None = None
    doc: int = 0


class Env(NamedTuple):
    """An environment as the repo names it (`preprod`) and its role in the chain (`stage`)."""

    name: str
    role: str
    rank: int  # position of the role in the promotion order
    protected: bool
    production: bool


class Source(NamedTuple):
    """One source of an Argo CD Application."""

    repo_url: str
    path: str | None
    chart: str | None
    target_revision: str
    ref: str | None
    value_files: tuple[str, ...]
    values_text: str | None
    values_object: Any
    parameters: tuple[tuple[str, str], ...]
    ignore_missing_value_files: bool
    local: bool
    origin: Origin  # the source mapping inside the Application file


class ArgoApp(NamedTuple):
    """An Argo CD Application, written by hand or rendered from an ApplicationSet element."""

    name: str
    file: str
    doc: int
    base: KeyPath  # key path of the Application object inside its document ((), or the template)
    project: str
    dest_server: str
    dest_namespace: str
    sources: tuple[Source, ...]
    automated: bool
    generated_by: str | None  # "ApplicationSet <name>" when rendered from a generator
    # sourceHydrator: (hydrateTo.targetBranch or None, syncSource.targetBranch); None = no hydrator
    hydrator: tuple[str | None, str] | None = None
    # made for a stand-in cluster its ApplicationSet's selectors imply (appset_infer), not a real one:
    # the env that stand-in stands for (its selectors named it); None for a real cluster
    stand_in: str | None = None
    # (key path of a field, key path where its value is written as is): a template field that is one
    # generator parameter (`targetRevision: '{{values.chartVersion}}'`) traced to that parameter's entry
    traced: tuple[tuple[KeyPath, KeyPath], ...] = ()


class Image(NamedTuple):
    """An image reference found in effective values."""

    keypath: KeyPath  # the mapping (or string) that defines the image
    registry: str
    repository: str
    tag: str
    digest: str
    tag_origin: Origin | None
    repo_origin: Origin | None
    kind: str = "mapping"  # "mapping" (image.repository/tag), "string" (repo:tag), "kustomize" (images:), "tag"

    @property
    def name(self) -> str:
        """registry/repository without tag or digest."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def ref(self) -> str:
        if not self.name:
            return f"tag {self.tag}" if self.tag else f"digest {self.digest}"
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


class Deployment(NamedTuple):
    """One app deployed to one env: what it runs and where that comes from."""

    app: str
    env: Env
    chart_dir: str | None  # repo-relative chart directory, None when external or unknown
    value_files: tuple[str, ...]  # repo-relative, Helm merge order, chart values.yaml first
    missing_value_files: tuple[str, ...]
    argo: ArgoApp | None
    namespace: str | None
    revision: str | None  # the git revision the env watches, None = current branch
    kind: str = "helm"  # "helm": values files; "kustomize": a kustomization; "manifests": plain manifests
    layout: str = ""  # the layout plug-in that found it (plugins.py)
    # values embedded in a document (a release's inline values, a patch), applied after value_files in
    # order; a key path may go on inside a string that holds YAML text (then: document index, keys)
    values_in: tuple[Origin, ...] = ()
    # what else the env runs by a version the layout read outside the values (kind "chart": a chart
    # version constraint; "chart-tag": an OCI chart tag)
    artifacts: tuple[Image, ...] = ()

    @property
    def own_file(self) -> str:
        """Where to change this env alone: its last values layer (else its Application's file)."""
        if self.values_in:
            return self.values_in[-1].path
        if self.value_files:
            return self.value_files[-1]
        return self.argo.file if self.argo else f"{self.env.name}'s values file"


class GitView(NamedTuple):
    """What is linted and where git facts come from: the repository git runs in, the snapshot of its
    files under test (snapshot.Snapshot: the work tree, the index or a commit), and the base a pull
    request lands on (`--base`), if any."""

    root: Path
    snapshot: Any
    base: str | None = None


class Finding(NamedTuple):
    rule: str
    severity: Severity
    message: str
    path: str | None
    line: int | None
    column: int | None
    app: str | None
    env: str | None
    fix: str | None
    fingerprint: str
    suppressed: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        return (self.path or "", self.line or 0, self.column or 0, self.rule, self.message)
