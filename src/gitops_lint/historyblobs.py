"""File versions for the history walk: read through one `git cat-file --batch` process, parsed once
(no positions), pruned to the keys that define images, cached on disk by blob id; and the images a
version's values layers define."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from gitops_lint import gitio, images, yamlio
from gitops_lint.appvalues import inline_layers
from gitops_lint.cache import DiskCache, digest
from gitops_lint.errors import YamlProblem
from gitops_lint.model import ArgoApp
from gitops_lint.rendered import image_keypath
from gitops_lint.timeline import ImageRef, prune, ref_of
from gitops_lint.values import merge
from gitops_lint.yamlio import format_keypath, value_at

Learned = tuple[Any, Any]  # (tag key path, repository key path) in the env's values; either may be None


class BlobValues:
    """Parsed, pruned file versions by blob id, for one run."""

    def __init__(self, root: Path, disk: DiskCache, extra: frozenset[str]) -> None:
        self.root = root
        self._disk = disk
        self._extra = extra  # image keys a render revealed, kept when pruning
        self._pruned: dict[str, Any] = {}  # blob id -> its image data
        self._reader: gitio.BlobReader | None = None

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def reader(self) -> gitio.BlobReader:
        if self._reader is None:
            self._reader = gitio.BlobReader(self.root)
        return self._reader

    def prefetch(self, blobs: set[str | None]) -> None:
        wanted = []
        salt = f":{digest(chr(0).join(sorted(self._extra)).encode())[:8]}" if self._extra else ""
        for blob in sorted(b for b in blobs if b is not None and b not in self._pruned):
            stored = self._disk.get(f"b:{blob}{salt}")
            if stored is not None:
                self._pruned[blob] = stored[0]
            else:
                wanted.append(blob)
        if not wanted:
            return
        for blob, data in self.reader().read(wanted).items():
            self._pruned[blob] = _parse(data, self._extra) if isinstance(data, bytes) else None
            if isinstance(data, bytes):
                self._disk.put(f"b:{blob}{salt}", (self._pruned[blob],))

    def parsed(self, blob: str | None) -> Any:
        if blob is None:
            return None
        if blob not in self._pruned:
            self.prefetch({blob})
        return self._pruned[blob]

    def inline(self, app: ArgoApp | None) -> list[Any]:
        """The Application's inline values (helm.values, valuesObject, parameters), pruned like files."""
        return [prune(layer.data, self._extra) for layer in inline_layers(app)] if app is not None else []

    def images(self, layers: list[Any], chart: Any, learned: list[Learned] | None = None) -> tuple[ImageRef, ...]:
        merged: Any = {}
        for layer in layers:
            if isinstance(layer, dict):
                merged = merge(merged, layer)
        version = chart.get("appVersion") if isinstance(chart, dict) else None
        found = images.with_app_version(images.find_images(merged), str(version) if version is not None else None)
        refs = {ref_of(image) for image in found}
        for tag_path, repo_path in learned or ():  # keys only a render revealed: the same keys at every version
            tag, repo = value_at(merged, tag_path or ()), value_at(merged, repo_path or ())
            if tag_path and tag is not None or repo_path and repo is not None:
                refs.add(ImageRef(format_keypath(image_keypath(tag_path, repo_path) or ()),
                                  str(repo or "").lower() if repo_path else "", str(tag or "") if tag_path else "", ""))
        return tuple(sorted(refs))


def _parse(data: bytes, extra: frozenset[str] = frozenset()) -> Any:
    try:
        return prune(yamlio.load_text(yamlio.decode(data, "<history>"), "<history>", positions=False).data, extra)
    except YamlProblem:
        return None  # a version that did not parse ran nothing we can know


