"""Reads git into timelines: what each app x env ran, on the revision it watches.

One `git log` per watched revision, one `git cat-file --batch` process for the run. Timelines
are walked newest first and only as far back as a question needs; each file version is read and
parsed once (no positions) and pruned to the keys that define images. The working tree is the
newest state of the checked-out branch ("now"), so a pre-commit run judges the change being
committed.
"""
from __future__ import annotations

import bisect
import posixpath
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import argocd, gitio, images, yamlio
from gitops_lint.cache import DiskCache, digest
from gitops_lint.errors import YamlProblem
from gitops_lint.model import ArgoApp, Deployment
from gitops_lint.timeline import WORKING_TREE, ImageRef, Timeline, prune, ref_of
from gitops_lint.values import merge

_WARM = 3  # newest versions of every env read up front, in one round trip: most questions end there
_PREFETCH = 16  # versions read together when a question walks further back


class HistoryStore:
    """Timelines for every deployment, from one `git log` per watched revision and one blob reader."""

    def __init__(self, root: Path, *, tracked: set[str], current_branch_files: dict[str, Any],
                 head: str | None = None, disk: DiskCache | None = None) -> None:
        self.root = root
        self._disk = disk or DiskCache(None)
        self.notices: list[str] = []
        self._tracked = tracked  # every file any env's values come from
        self._current = current_branch_files  # path -> parsed working-tree data (the newest state)
        self._head = gitio.resolve(root, head) if head else gitio.head_commit(root)
        self._head_name = head
        self._logs: dict[str, tuple[list[gitio.Commit], dict[str, list[int]]]] = {}
        self._revisions: dict[str, tuple[str, str | None]] = {}
        self._pruned: dict[str, Any] = {}  # blob id -> its image data
        self._apps: dict[tuple[str, str], ArgoApp | None] = {}  # (blob id, name) -> that Application then
        self._timelines: dict[tuple[Any, ...], Timeline] = {}
        self._reader: gitio.BlobReader | None = None
        self._now = int(time.time())

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def revision(self, dep: Deployment) -> tuple[str, str | None]:
        """(revision as named, commit) the env watches; the checked-out branch when unknown."""
        named = (dep.revision or "HEAD").strip() or "HEAD"
        if named not in self._revisions:
            self._revisions[named] = self._resolve(named)
        shown, sha = self._revisions[named]
        notice = (f"{dep.app}/{dep.env.name}: revision {named!r} is not in this clone; its history is read from "
                  "the checked-out branch instead")
        if shown.endswith("(not found; read HEAD)") and notice not in self.notices:
            self.notices.append(notice)
        return shown, sha

    def _resolve(self, named: str) -> tuple[str, str | None]:
        if named.upper() == "HEAD":
            branch = self._head_name or gitio.current_branch(self.root)
            return (f"branch {branch}" if branch else "HEAD"), self._head
        sha = gitio.resolve(self.root, named)
        if sha is None:
            return f"{named} (not found; read HEAD)", self._head
        return f"{gitio.ref_kind(self.root, named)} {named}", sha

    def warm(self, deps: list[tuple[Deployment, str | None]]) -> None:
        """Read the newest versions of every env's files in one batch, before any question."""
        wanted: set[str | None] = set()
        for dep, chart_file in deps:
            _, sha = self.revision(dep)
            if sha is None:
                continue
            commits, by_path = self._log(sha)
            paths = list(dep.value_files) + ([chart_file] if chart_file else [])
            touched = sorted({i for path in paths for i in by_path.get(path, ())}, reverse=True)[:_WARM]
            wanted.update(self._blob_at(commits, by_path.get(p, []), i, p) for i in touched for p in paths)
        self._prefetch(wanted)

    def timeline(self, dep: Deployment, *, chart_file: str | None) -> Timeline:
        key = (dep.app, dep.env.name, dep.value_files, chart_file)
        if key not in self._timelines:
            named, sha = self.revision(dep)
            self._timelines[key] = Timeline(named, self._versions(dep, sha, chart_file) if sha else iter(()))
        return self._timelines[key]

    def _versions(self, dep: Deployment, sha: str,
                  chart_file: str | None) -> Iterator[tuple[str, int, tuple[ImageRef, ...]]]:
        """(commit, time, images) at every commit that changes one of the env's files, newest first;
        the working tree first when it is the newest state of this revision.

        Walking back, the env's files are the ones its Application pointed at then: when an older
        version of the Application file wires other values files or another chart path, the walk
        goes on through those (before the Application existed, through today's files).
        """
        wiring = _Wiring(list(dep.value_files), chart_file)
        commits, by_path = self._log(sha)
        if sha == self._head and all(p in self._current for p in dep.value_files):
            found = self._images([prune(self._current[p]) for p in dep.value_files],
                                 prune(self._current.get(chart_file)) if chart_file else None)
            yield WORKING_TREE, max(self._now, commits[-1].time + 1 if commits else 0), found
        app = dep.argo if dep.argo is not None and dep.argo.generated_by is None else None
        signature = _signature(app) if app else None
        app_changes = set(by_path.get(app.file, ())) if app else set()
        upper = len(commits)
        walked = 0
        while True:
            watched = wiring.paths() + ([app.file] if app else [])
            index = max((idx[pos - 1] for idx in (by_path.get(p, []) for p in watched)
                         if (pos := bisect.bisect_left(idx, upper)) > 0), default=None)
            if index is None:
                return
            upper = index
            if walked >= _WARM and (walked - _WARM) % _PREFETCH == 0:  # walking further back: in batches
                self._prefetch({self._blob_at(commits, by_path.get(p, []), index, p) for p in wiring.paths()})
            walked += 1
            blobs = {p: self._blob_at(commits, by_path.get(p, []), index, p) for p in wiring.paths()}
            if not any(blobs.get(p) for p in wiring.value_files):
                return  # before the env's files existed
            found = self._images([self._parsed(blobs.get(p)) for p in wiring.value_files],
                                 self._parsed(blobs.get(wiring.chart_file)) if wiring.chart_file else None)
            yield commits[index].sha, commits[index].time, found
            if app is not None and index in app_changes:
                # this commit changed the Application: older states used what its previous version wired
                # (the committed newest version is taken to wire what the working tree's does)
                older = self._application(self._blob_at(commits, by_path[app.file], index - 1, app.file), app)
                if older is None:  # no Application before: the files were deployed some other way
                    app = None
                elif _signature(older) != signature:
                    signature = _signature(older)
                    wiring = self._wiring_of(older, commits, by_path, index - 1)

    def _application(self, blob: str | None, current: ArgoApp) -> ArgoApp | None:
        """The Application of this name in an older version of its file."""
        if blob is None:
            return None
        key = (blob, current.name)
        if key not in self._apps:
            data = self._reader_for().read([blob]).get(blob)
            try:
                docs = yamlio.load_text(yamlio.decode(data or b"", current.file), current.file, positions=False).docs
            except YamlProblem:
                docs = ()
            local = {source.repo_url for source in current.sources if source.local}
            found = None
            for index, doc in enumerate(docs):
                if isinstance(doc.data, dict) and doc.data.get("kind") == "Application":
                    apps, _ = argocd.parse_doc(doc.data, file=current.file, doc=index,
                                               is_local=lambda url: url in local)
                    found = next((a for a in apps if a.name == current.name), found)
            self._apps[key] = found
        return self._apps[key]

    def _wiring_of(self, app: ArgoApp, commits: list[gitio.Commit], by_path: dict[str, list[int]],
                   index: int) -> _Wiring:
        """The values files (and Chart.yaml) an older Application used, as of commit `index`."""
        source = argocd.chart_source(app)
        files: list[str] = []
        chart_file = None
        if source is not None and source.local and source.path is not None:
            base = posixpath.normpath(source.path.strip("/")) if source.path.strip("/") else ""
            chart_values = posixpath.join(base, "values.yaml") if base else "values.yaml"
            if self._blob_at(commits, by_path.get(chart_values, []), index, chart_values):
                files.append(chart_values)
            chart_file = posixpath.join(base, "Chart.yaml") if base else "Chart.yaml"
        for src in app.sources:
            for value_file in src.value_files:
                resolved = argocd.resolve_value_file(app, value_file)
                if resolved and resolved not in files:
                    files.append(resolved)
        return _Wiring(files, chart_file)

    def _reader_for(self) -> gitio.BlobReader:
        if self._reader is None:
            self._reader = gitio.BlobReader(self.root)
        return self._reader

    @staticmethod
    def _blob_at(commits: list[gitio.Commit], indexes: list[int], index: int, path: str) -> str | None:
        """The path's blob as of commit `index`: its last change at or before it."""
        position = bisect.bisect_right(indexes, index)
        return commits[indexes[position - 1]].changes[path] if position else None

    def _log(self, sha: str) -> tuple[list[gitio.Commit], dict[str, list[int]]]:
        """The commits of a revision, and for each path the indexes of the commits that change it."""
        if sha not in self._logs:
            extra = sorted(p for p in self._tracked if not p.endswith((".yaml", ".yml")))
            name = f"log-{sha}-{digest(chr(0).join(extra).encode())[:12]}"
            stored = self._disk.get_blob(name)
            if stored is not None:
                commits = [gitio.Commit(sha_, time_, changes) for sha_, time_, changes in stored]
            else:
                commits = gitio.log_changes(self.root, sha, self._tracked)
                self._disk.put_blob(name, [(c.sha, c.time, c.changes) for c in commits])
            by_path: dict[str, list[int]] = {}
            for index, commit in enumerate(commits):
                for path in commit.changes:
                    by_path.setdefault(path, []).append(index)
            self._logs[sha] = (commits, by_path)
        return self._logs[sha]

    def _prefetch(self, blobs: set[str | None]) -> None:
        wanted = []
        for blob in sorted(b for b in blobs if b is not None and b not in self._pruned):
            stored = self._disk.get(f"b:{blob}")
            if stored is not None:
                self._pruned[blob] = stored[0]
            else:
                wanted.append(blob)
        if not wanted:
            return
        for blob, data in self._reader_for().read(wanted).items():
            self._pruned[blob] = _parse(data) if data is not None else None
            if data is not None:
                self._disk.put(f"b:{blob}", (self._pruned[blob],))

    def _parsed(self, blob: str | None) -> Any:
        if blob is None:
            return None
        if blob not in self._pruned:
            self._prefetch({blob})
        return self._pruned[blob]

    def _images(self, layers: list[Any], chart: Any) -> tuple[ImageRef, ...]:
        merged: Any = {}
        for layer in layers:
            if isinstance(layer, dict):
                merged = merge(merged, layer)
        version = chart.get("appVersion") if isinstance(chart, dict) else None
        found = images.with_app_version(images.find_images(merged), str(version) if version is not None else None)
        return tuple(sorted({ref_of(image) for image in found}))


class _Wiring(NamedTuple):
    value_files: list[str]
    chart_file: str | None

    def paths(self) -> list[str]:
        return self.value_files + ([self.chart_file] if self.chart_file else [])


def _signature(app: ArgoApp) -> tuple[Any, ...]:
    return tuple((s.repo_url, s.path, s.chart, s.ref, s.value_files) for s in app.sources)


def _parse(data: bytes) -> Any:
    try:
        return prune(yamlio.load_text(yamlio.decode(data, "<history>"), "<history>", positions=False).data)
    except YamlProblem:
        return None  # a version that did not parse ran nothing we can know


