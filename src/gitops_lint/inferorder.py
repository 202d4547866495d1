"""A promotion order inferred from history, for sibling envs whose names say nothing.

`overlays/canary` and `overlays/main`, `values-blue.yaml` and `values-green.yaml`: when no name is
known and no order is declared, git history may still show one — each image tag reached one env
first and the other later, every time. Two envs are ordered when at least `MIN_PROMOTIONS` tags
went from one to the other and none the other way; an env with no such relation (an on-demand
`test` or `review` deployment) is left out rather than given an invented place. Only runs when
such siblings exist, and reads at most `MAX_BLOBS` old versions.
"""
from __future__ import annotations

import posixpath
from collections import defaultdict
from pathlib import Path

from gitops_lint import gitio, gitlog, images, yamlio
from gitops_lint.envs import EnvScheme
from gitops_lint.errors import YamlProblem
from gitops_lint.layouts import KUSTOMIZATIONS
from gitops_lint.promotionorder import DeclaredOrder

MIN_PROMOTIONS = 2
MAX_BLOBS = 400
_PARENTS = ("overlays", "envs", "environments", "env", "clusters")


def candidates(yaml_files: list[str], charts: list[str], scheme: EnvScheme) -> dict[str, dict[str, str]]:
    """Group -> env name -> file, for groups of two or more siblings with a name the scheme does not know."""
    groups: dict[str, dict[str, str]] = defaultdict(dict)
    chart_dirs = set(charts)
    for path in yaml_files:
        directory, name = posixpath.split(path)
        parent = posixpath.dirname(directory)
        if name in KUSTOMIZATIONS and posixpath.basename(parent) in _PARENTS:
            groups[parent][posixpath.basename(directory)] = path
        elif directory in chart_dirs and name.startswith("values-") and name.endswith((".yaml", ".yml")):
            groups[directory][name[len("values-"):].rsplit(".", 1)[0]] = path
    return {g: envs for g, envs in groups.items()
            if len(envs) > 1 and any(scheme.find(e) is None for e in envs)}


def infer(root: Path, groups: dict[str, dict[str, str]]) -> list[DeclaredOrder]:
    """The order history shows in each group (none when it is not consistent)."""
    if not groups or gitio.head_commit(root) is None:
        return []
    paths = {p for envs in groups.values() for p in envs.values()}
    try:
        commits = gitlog.log_changes(root, "HEAD", paths)
    except gitio.GitError:
        return []
    first_seen = _first_seen(root, commits, paths)
    orders = []
    for group, envs in sorted(groups.items()):
        order = _order({env: first_seen.get(path, {}) for env, path in envs.items()})
        if order is not None:
            names, count = order
            orders.append(DeclaredOrder(tuple(n.lower() for n in names), f"inferred from {count} promotions", group,
                                        inferred=count))
    return orders


def _first_seen(root: Path, commits: list[gitlog.Commit], paths: set[str]) -> dict[str, dict[tuple[str, str], int]]:
    """Path -> (image, tag) -> the first time the file held it (oldest commits first)."""
    wanted = [(c.time, path, blob) for c in commits for path, blob in c.changes.items() if path in paths and blob]
    wanted = wanted[-MAX_BLOBS:]
    reader = gitio.BlobReader(root)
    try:
        blobs = reader.read(sorted({blob for _, _, blob in wanted}))
    finally:
        reader.close()
    seen: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for when, path, blob in wanted:
        data = blobs.get(blob)
        if not isinstance(data, bytes):
            continue
        for image in _images(data, path):
            seen[path].setdefault(image, when)
    return seen


def _images(data: bytes, path: str) -> list[tuple[str, str]]:
    try:
        loaded = yamlio.load_text(yamlio.decode(data, path), path, positions=False)
    except YamlProblem:
        return []
    return [(image.name or "/".join(map(str, image.keypath)), image.tag or image.digest)
            for image in images.find_images(loaded.data) if image.tag or image.digest]


def _order(seen: dict[str, dict[tuple[str, str], int]]) -> tuple[list[str], int] | None:
    """Envs sorted by how many others they precede, when every related pair agrees every time."""
    before: dict[str, set[str]] = defaultdict(set)
    total = 0
    names = sorted(seen)
    for a in names:
        for b in names:
            if a >= b:
                continue
            shared = set(seen[a]) & set(seen[b])
            a_first = sum(seen[a][t] < seen[b][t] for t in shared)
            b_first = sum(seen[b][t] < seen[a][t] for t in shared)
            if a_first >= MIN_PROMOTIONS and b_first == 0:
                before[a].add(b)
                total += a_first
            elif b_first >= MIN_PROMOTIONS and a_first == 0:
                before[b].add(a)
                total += b_first
    related = sorted({n for n in before} | {m for ms in before.values() for m in ms},
                     key=lambda n: (-len(_downstream(n, before)), n))
    for index, name in enumerate(related):  # a line: each env precedes every env after it
        if any(later not in _downstream(name, before) for later in related[index + 1:]):
            return None
    return (related, total) if len(related) > 1 else None


def _downstream(name: str, before: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    stack = list(before.get(name, ()))
    while stack:
        node = stack.pop()
        if node not in out and node != name:
            out.add(node)
            stack.extend(before.get(node, ()))
    return out
