"""Argo CD's `targetRevision`, resolved the way Argo CD resolves it, against this clone's refs.

Order: a branch (as the remote has it: `origin/B`, or the remote whose URL is the Application's
`repoURL`, before a possibly stale local `B`), then a tag, then a commit SHA, then a semver
constraint (`1.*`, `>=1.2.0 <2`) to the highest matching tag. So a branch named `v2.0` or
`deadbeef` is a branch, which moves. `HEAD` (or nothing) is the repository's default branch: the
remote's `HEAD`, `main` or `master`; without a remote the local `main`/`master`, else the checked-out
line. `--base REF` stands for the branch it names (or, when it names a commit such as
`github.event.pull_request.base.sha` or `HEAD^1`, for the default branch as of that commit): in a
pull request that is where the change will land.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from gitops_lint import gitio

_HEX = re.compile(r"[0-9a-fA-F]{4,40}")
_DEFAULT_NAMES = ("main", "master")


class Watched(NamedTuple):
    named: str  # as the Application writes it
    kind: str  # "branch" | "tag" | "commit"
    name: str  # the branch or tag name, or the full SHA
    ref: str | None  # the ref it was read from, e.g. refs/remotes/origin/main
    tip: str  # the commit

    @property
    def shown(self) -> str:
        """`branch main`, `tag v1.4.0`, `commit 1a2b3c4d5e`."""
        return f"commit {self.tip[:10]}" if self.kind == "commit" else f"{self.kind} {self.name}"

    @property
    def moves(self) -> bool:
        return self.kind == "branch"

    @property
    def floating(self) -> bool:
        """It can point elsewhere tomorrow: a branch, or a semver range resolved to today's best tag."""
        return self.moves or (self.kind == "tag" and self.named not in (self.name, f"refs/tags/{self.name}"))


class Resolver:
    """Resolves revisions against one snapshot of the refs (read once)."""

    def __init__(self, root: Path, *, base: str | None = None) -> None:
        self.root = root
        self.refs = gitio.refs(root) if gitio.toplevel(root) is not None else {}
        self.remotes = gitio.remotes(root) if self.refs else {}
        self._cache: dict[tuple[str, str], Watched | None] = {}
        self.base = self._base(base) if base else None

    def _base(self, base: str) -> Watched | None:
        sha = gitio.resolve(self.root, base)
        if sha is None:
            return None
        name = base
        for prefix in ("refs/remotes/", "refs/heads/", *(f"{r}/" for r in self.remotes)):
            if name.startswith(prefix):
                name = name[len(prefix):]
                if prefix == "refs/remotes/":
                    name = name.partition("/")[2]
                break
        is_branch = any(ref.endswith(f"/{name}") and (ref.startswith("refs/remotes/") or ref.startswith("refs/heads/"))
                        for ref in self.refs)
        if is_branch:
            return Watched(base, "branch", name, None, sha)
        # a commit (`--base $BASE_SHA`, `HEAD^1` in a merge checkout): the tip of the default branch
        # the change lands on, as it was when the change was made
        default = self._default("", "HEAD")
        return Watched(base, "branch", default.name if default is not None else sha, None, sha)

    def resolve(self, named: str, repo_url: str = "") -> Watched | None:
        key = (named, repo_url)
        if key not in self._cache:
            self._cache[key] = self._resolve(named.strip(), repo_url)
        return self._cache[key]

    def _resolve(self, named: str, repo_url: str) -> Watched | None:
        if not named or named.upper() == "HEAD":
            return self.default_branch(repo_url, named or "HEAD")
        name = named[len("refs/heads/"):] if named.startswith("refs/heads/") else named
        if self.base is not None and (self.base.name == name if self.base.kind == "branch"
                                      else name == getattr(self._default(repo_url, named), "name", None)):
            return self.base._replace(named=named)
        if not named.startswith("refs/tags/"):
            branch = self._branch(name, repo_url)
            if branch is not None:
                return branch._replace(named=named)
        tag = named[len("refs/tags/"):] if named.startswith("refs/tags/") else named
        if f"refs/tags/{tag}" in self.refs:
            return Watched(named, "tag", tag, f"refs/tags/{tag}", self.refs[f"refs/tags/{tag}"])
        if _HEX.fullmatch(named):
            sha = gitio.resolve(self.root, named)
            if sha is not None and sha.startswith(named.lower()):
                return Watched(named, "commit", sha, None, sha)
        return self._semver(named)

    def _remote_order(self, repo_url: str) -> list[str]:
        wanted = gitio.normalize_url(repo_url) if repo_url else None
        matching = [r for r, url in sorted(self.remotes.items()) if wanted and gitio.normalize_url(url) == wanted]
        rest = sorted(self.remotes, key=lambda r: (r != "origin", r))
        return matching + [r for r in rest if r not in matching]

    def _branch(self, name: str, repo_url: str) -> Watched | None:
        for remote in self._remote_order(repo_url):
            ref = f"refs/remotes/{remote}/{name}"
            if ref in self.refs:
                return Watched(name, "branch", name, ref, self.refs[ref])
        ref = f"refs/heads/{name}"
        return Watched(name, "branch", name, ref, self.refs[ref]) if ref in self.refs else None

    def default_branch(self, repo_url: str = "", named: str = "HEAD") -> Watched | None:
        """What `HEAD` means: the base of a PR, the remote's default branch, else the local line."""
        if self.base is not None:
            return self.base._replace(named=named)
        return self._default(repo_url, named)

    def _default(self, repo_url: str, named: str) -> Watched | None:
        for remote in self._remote_order(repo_url):
            head = self.refs.get(f"refs/remotes/{remote}/HEAD")
            names = [n for n in _DEFAULT_NAMES if f"refs/remotes/{remote}/{n}" in self.refs]
            if head is not None:
                names = sorted((r.rsplit("/", 1)[1] for r, sha in self.refs.items()
                                if r.startswith(f"refs/remotes/{remote}/") and sha == head
                                and not r.endswith("/HEAD")), key=lambda n: (n not in _DEFAULT_NAMES, n)) or names
            if names:
                ref = f"refs/remotes/{remote}/{names[0]}"
                return Watched(named, "branch", names[0], ref, self.refs[ref])
        for name in _DEFAULT_NAMES:
            if f"refs/heads/{name}" in self.refs:
                return Watched(named, "branch", name, f"refs/heads/{name}", self.refs[f"refs/heads/{name}"])
        head_sha = gitio.head_commit(self.root) if self.refs or gitio.toplevel(self.root) else None
        if head_sha is None:
            return None
        branch = gitio.current_branch(self.root)
        return Watched(named, "branch", branch or "HEAD", f"refs/heads/{branch}" if branch else None, head_sha)

    def _semver(self, named: str) -> Watched | None:
        import semantic_version

        try:
            spec = semantic_version.NpmSpec(named.replace(",", " "))
        except ValueError:
            return None
        versions: dict[semantic_version.Version, str] = {}
        for ref in self.refs:
            if ref.startswith("refs/tags/"):
                tag = ref[len("refs/tags/"):]
                try:
                    versions.setdefault(semantic_version.Version(tag[1:] if tag[:1] in "vV" else tag), tag)
                except ValueError:
                    continue
        best = spec.select(versions)
        if best is None:
            return None
        tag = versions[best]
        return Watched(named, "tag", tag, f"refs/tags/{tag}", self.refs[f"refs/tags/{tag}"])

    def fetch_hint(self, named: str) -> str:
        remote = "origin" if "origin" in self.remotes or not self.remotes else sorted(self.remotes)[0]
        return (f"fetch it (git fetch {remote} {named}; actions/checkout: fetch-depth: 0), or pass --no-history "
                "to skip the history rules")
