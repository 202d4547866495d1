"""Reads git into timelines: what each app x env ran, on the revision it watches.

One `git log` per watched revision, one `git cat-file --batch` process for the run. Timelines
are walked newest first and only as far back as a question needs; each file version is read and
parsed once (no positions) and pruned to the keys that define images. On a branch, the change
under test (proposal.Proposal) is the newest state, at one instant after the branch's tip.
"""
from __future__ import annotations

import bisect
import posixpath
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import argocd, embedded, yamlio
from gitops_lint.cache import DiskCache
from gitops_lint.errors import HistoryUnavailableError, YamlProblem
from gitops_lint.model import ArgoApp, Deployment, Image, Origin
from gitops_lint.lines import Line, LineReader, blob_at as _blob_at
from gitops_lint.proposal import Proposal
from gitops_lint.revisions import Resolver, Watched
from gitops_lint.timeline import PROPOSED, ImageRef, State, Timeline, prune, ref_of
from gitops_lint.historyblobs import BlobValues, Learned

_WARM = 3  # newest versions of every env read up front, in one round trip: most questions end there
_PREFETCH = 16  # versions read together when a question walks further back


class HistoryStore:
    """Timelines for every deployment, from one `git log` per watched revision and one blob reader."""

    def __init__(self, root: Path, *, tracked: set[str], resolver: Resolver, proposal: Proposal,
                 disk: DiskCache | None = None, learned: dict[tuple[str, str], list[Learned]] | None = None) -> None:
        self.root = root
        self._disk = disk or DiskCache(None)
        self.notices: list[str] = []
        self._tracked = tracked  # every file any env's values come from
        self._resolver = resolver
        self._proposal = proposal
        # image keys a render showed for an env (`image_version`), followed back in time too
        self._learned = learned or {}
        self._extra = frozenset(str(kp[-1]) for keys in self._learned.values() for pair in keys for kp in pair if kp)
        self._lines: dict[str, Line] = {}
        self._line_reader = LineReader(root, tracked, self._disk, self.notices)
        self._apps: dict[tuple[str, str], ArgoApp | None] = {}  # (blob id, name) -> that Application then
        self._docs: dict[str, list[Any]] = {}  # blob id -> its documents, for values embedded in them
        self.current: Callable[[Origin], Any] | None = None  # the snapshot's embedded values (set by the model)
        self._timelines: dict[tuple[Any, ...], Timeline] = {}
        self._blobs = BlobValues(root, self._disk, self._extra)  # file versions, parsed and pruned once
        self._now = int(time.time())

    def close(self) -> None:
        self._blobs.close()

    def watched(self, dep: Deployment) -> Watched:
        """The revision the env watches, resolved as Argo CD would; exit 2 when this clone lacks it."""
        named = (dep.revision or "HEAD").strip() or "HEAD"
        if dep.argo is not None and not any(source.local for source in dep.argo.sources):
            named = "HEAD"  # it deploys from another repository: nothing of its history is in this clone
        watched = self._resolver.resolve(named, _repo_url(dep))
        if watched is None:
            owner = f"its Application {dep.argo.name} watches" if dep.argo else "it watches"
            raise HistoryUnavailableError(
                f"{dep.app}/{dep.env.name}: {owner} revision {named!r}, which is not in this clone, so its "
                f"history cannot be read: {self._resolver.fetch_hint(named)}")
        return watched

    def line(self, dep: Deployment) -> Line:
        watched = self.watched(dep)
        if watched.tip not in self._lines:
            self._lines[watched.tip] = self._line_reader.read(watched)
        return self._lines[watched.tip]

    def warm(self, deps: list[tuple[Deployment, str | None]]) -> None:
        """Resolve every env's revision, then read the newest versions of its files in one batch."""
        wanted: set[str | None] = set()
        self._proposal.watching({self.watched(dep).name for dep, _ in deps if self.watched(dep).moves})
        for dep, chart_file in deps:
            line = self.line(dep)
            paths = list(dep.value_files) + ([chart_file] if chart_file else [])
            touched = sorted({i for path in paths for i in line.by_path.get(path, ())}, reverse=True)[:_WARM]
            wanted.update(_blob_at(line, i, p) for i in touched for p in paths)
        self._blobs.prefetch(wanted)

    def timeline(self, dep: Deployment, *, chart_file: str | None) -> Timeline:
        key = (dep.app, dep.env.name, dep.value_files, chart_file, dep.values_in)
        if key not in self._timelines:
            line = self.line(dep)
            self._timelines[key] = Timeline(line.watched.shown, self._versions(dep, line, chart_file))
        return self._timelines[key]

    def _versions(self, dep: Deployment, line: Line, chart_file: str | None) -> Iterator[State]:
        """One state per change of the env's files, newest first: first what the change under test
        proposes (on a branch), then each commit of the line that touched them.

        Walking back, the env's files are the ones its Application pointed at then: when an older
        version of the Application file wires other values files or another chart path, the walk
        goes on through those (before the Application existed, through today's files); an exact
        rename (`git mv`) is followed to the file's old path.
        """
        wiring = _Wiring(list(dep.value_files), chart_file, dep.values_in)
        commits, tip = line.commits, len(line.commits) - 1
        learned = self._learned.get((dep.app, dep.env.name), [])
        app = dep.argo if dep.argo is not None and dep.argo.generated_by is None else None
        signature = _signature(app) if app else None
        changed = self._proposal.changed(line.watched)
        followed = self._followed(dep)  # chart versions written in a repo file (Application, HelmRelease)
        artifact_files = [a.tag_origin.path for a in followed]
        if changed is None or any(p in changed for p in wiring.paths() + ([app.file] if app else []) + artifact_files):
            found = self._blobs.images([self._now_layer(p, changed, line) for p in wiring.value_files]
                                 + [self._now_embedded(o, changed, line) for o in wiring.embedded]
                                 + self._blobs.inline(dep.argo), self._now_layer(chart_file, changed, line) if chart_file else None,
                                 learned)
            found = _with_artifacts(found, [(a, self._now_artifact(a, changed, line)) for a in followed])
            yield State(PROPOSED, max(self._now, line.times[-1] + 1 if commits else 0), found, len(commits), line,
                        self._proposal.label(line.watched.tip, line.watched.shown))
        if app is not None and changed and app.file in changed and commits:
            older = self._application(_blob_at(line, tip, app.file), app)  # the tip's wiring, not the change's
            app, wiring, signature = self._rewire(older, app, wiring, signature, line, tip)
        app_changes = set(line.by_path.get(app.file, ())) if app else set()
        upper = len(commits)
        walked = 0
        while True:
            watched = wiring.paths() + ([app.file] if app else []) + artifact_files
            index = max((idx[pos - 1] for idx in (line.by_path.get(p, []) for p in watched)
                         if (pos := bisect.bisect_left(idx, upper)) > 0), default=None)
            if index is None:
                return
            upper = index
            if walked >= _WARM and (walked - _WARM) % _PREFETCH == 0:  # walking further back: in batches
                self._blobs.prefetch({_blob_at(line, index, p) for p in wiring.paths()})
            walked += 1
            blobs = {p: _blob_at(line, index, p) for p in wiring.paths()}
            if not any(blobs.get(p) for p in wiring.layer_paths()) and \
                    not any(_blob_at(line, index, a.tag_origin.path) for a in followed):
                return  # before the env's files (or the file that pins its chart version) existed
            then = self._application(_blob_at(line, index, app.file), app) if app is not None else \
                (dep.argo if dep.argo is not None and dep.argo.generated_by
                 and not argocd.rendered_by_chart(dep.argo) else None)  # a render's values: only now
            found = self._blobs.images([self._blobs.parsed(blobs.get(p)) for p in wiring.value_files]
                                 + [self._embedded(blobs.get(o.path), o) for o in wiring.embedded] + self._blobs.inline(then),
                                 self._blobs.parsed(blobs.get(wiring.chart_file)) if wiring.chart_file else None, learned)
            versions = [(a, self._artifact_at(_blob_at(line, index, a.tag_origin.path), a)) for a in followed]
            yield State(commits[index].sha, line.times[index], _with_artifacts(found, versions), index, line)
            renames = commits[index].renames
            if renames and any(p in renames for p in wiring.paths()):
                wiring = _Wiring([renames.get(p, p) for p in wiring.value_files],
                                 renames.get(wiring.chart_file, wiring.chart_file) if wiring.chart_file else None,
                                 tuple(o._replace(path=renames.get(o.path, o.path)) for o in wiring.embedded))
            if app is not None and index in app_changes:
                # this commit changed the Application: older states used what its previous version wired
                older = self._application(_blob_at(line, index - 1, app.file), app)
                app, wiring, signature = self._rewire(older, app, wiring, signature, line, index - 1)

    def _rewire(self, older: ArgoApp | None, app: ArgoApp, wiring: _Wiring, signature: Any, line: Line,
                index: int) -> tuple[ArgoApp | None, _Wiring, Any]:
        if older is None:  # no Application before: the files were deployed some other way
            return None, wiring, signature
        if _signature(older) == signature:
            return app, wiring, signature
        return app, self._wiring_of(older, line, index), _signature(older)

    def _now_layer(self, path: str, changed: set[str] | None, line: Line) -> Any:
        if changed is None or path in changed or not line.commits:
            return prune(self._proposal.data(path), self._extra)
        return self._blobs.parsed(_blob_at(line, len(line.commits) - 1, path))

    def _now_embedded(self, origin: Origin, changed: set[str] | None, line: Line) -> Any:
        """Embedded values in the change under test: the snapshot's when it changes their file."""
        if changed is None or origin.path in changed or not line.commits:
            return prune(self.current(origin), self._extra) if self.current is not None else None
        return self._embedded(_blob_at(line, len(line.commits) - 1, origin.path), origin)

    def _embedded(self, blob: str | None, origin: Origin) -> Any:
        """The values a version of a file embeds at `origin` (the file parsed whole, once per version)."""
        if blob is None:
            return None
        return prune(embedded.resolve(self._documents(blob, origin.path), origin), self._extra)

    def _documents(self, blob: str, path: str) -> list[Any]:
        """A file version's documents, parsed whole once (embedded values, chart versions)."""
        if blob not in self._docs:
            self._docs[blob] = embedded.documents(self._blobs.reader().read([blob]).get(blob), path)
        return self._docs[blob]

    def _followed(self, dep: Deployment) -> list[Image]:
        """The env's artifacts (chart versions) whose version is written, as is, at their origin in a
        repo file: those are followed back in time. A version a generator fills in is followed where
        the generator writes it (a list element, a clusters generator's `values:`: appset_params);
        one its template builds from pieces is not, so it is judged as of now only."""
        if self.current is None:
            return []
        return [a for a in dep.artifacts if a.tag and a.tag_origin is not None
                and _text(self.current(a.tag_origin)) == a.tag]

    def _now_artifact(self, artifact: Image, changed: set[str] | None, line: Line) -> str | None:
        path = artifact.tag_origin.path
        if changed is None or path in changed or not line.commits:
            return artifact.tag
        return self._artifact_at(_blob_at(line, len(line.commits) - 1, path), artifact)

    def _artifact_at(self, blob: str | None, artifact: Image) -> str | None:
        """The version a version of the artifact's file wrote at its origin."""
        if blob is None:
            return None
        return _text(embedded.resolve(self._documents(blob, artifact.tag_origin.path), artifact.tag_origin))

    def _application(self, blob: str | None, current: ArgoApp) -> ArgoApp | None:
        """The Application of this name in an older version of its file."""
        if blob is None:
            return None
        key = (blob, current.name)
        if key not in self._apps:
            data = self._blobs.reader().read([blob]).get(blob)
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

    def _wiring_of(self, app: ArgoApp, line: Line, index: int) -> _Wiring:
        """The values files (and Chart.yaml) an older Application used, as of commit `index`."""
        source = argocd.chart_source(app)
        files: list[str] = []
        chart_file = None
        if source is not None and source.local and source.path is not None:
            base = posixpath.normpath(source.path.strip("/")) if source.path.strip("/") else ""
            chart_values = posixpath.join(base, "values.yaml") if base else "values.yaml"
            if _blob_at(line, index, chart_values):
                files.append(chart_values)
            chart_file = posixpath.join(base, "Chart.yaml") if base else "Chart.yaml"
        for src in app.sources:
            for value_file in src.value_files:
                resolved = argocd.resolve_value_file(app, value_file)
                if resolved and resolved not in files:
                    files.append(resolved)
        return _Wiring(files, chart_file)

def _repo_url(dep: Deployment) -> str:
    if dep.argo is None:
        return ""
    return next((s.repo_url for s in dep.argo.sources if s.local), "")


class _Wiring(NamedTuple):
    value_files: list[str]
    chart_file: str | None
    embedded: tuple[Origin, ...] = ()  # Deployment.values_in

    def layer_paths(self) -> list[str]:
        return self.value_files + [o.path for o in self.embedded if o.path not in self.value_files]

    def paths(self) -> list[str]:
        return self.layer_paths() + ([self.chart_file] if self.chart_file else [])


def _with_artifacts(found: tuple[ImageRef, ...], versions: list[tuple[Image, str | None]]) -> tuple[ImageRef, ...]:
    """The images, plus each followed artifact at the version its file wrote then: a chart version is
    promoted like an image (prod's chart must have run in stage first)."""
    refs = {ref_of(artifact._replace(tag=version)) for artifact, version in versions if version}
    return tuple(sorted(set(found) | refs)) if refs else found


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def _signature(app: ArgoApp) -> tuple[Any, ...]:
    return tuple((s.repo_url, s.path, s.chart, s.ref, s.value_files) for s in app.sources)
