"""Argo CD documents in the repo: which files hold Applications and ApplicationSets, parsed and
expanded into ArgoApps, and which repoURLs are this repository."""
from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from gitops_lint import appset_infer, argocd, gitio
from gitops_lint.appset_repo import RepoView
from gitops_lint.errors import YamlProblem
from gitops_lint.model import ArgoApp
from gitops_lint.repo import FileCache


Document = tuple[str, int, dict[str, Any]]  # (file, document index, an Argo CD object in it)


def argo_documents(cache: FileCache, paths: list[str]) -> list[Document]:
    """The Argo CD objects in the repo's YAML and JSON files (`kind: List` items too).

    A file is parsed only when it can hold one: it names `argoproj`, or it has a backslash (an
    escape can spell any text) or a byte-order mark (UTF-16/32 text hides every ASCII word)."""
    docs: list[Document] = []
    for path in paths:
        try:
            if not cache.mentions(path) & {b"argoproj", b"\\", b"BOM"}:
                continue
        except YamlProblem as problem:
            cache.note(problem)
            continue
        loaded = cache.load(path)
        for index, doc in enumerate(loaded.docs if loaded is not None else ()):
            for item in items(doc.data):
                if argocd.is_argo_doc(item):
                    docs.append((path, index, item))
    return docs


def argo_apps(cache: FileCache, docs: list[Document], notices: list[str], unmodeled: list[str],
              remote_urls: list[str], files: set[str], *, declared_clusters: tuple[Any, ...] = (),
              env_words: frozenset[str] = frozenset()) -> list[ArgoApp]:
    """The Applications those objects are: hand-written ones, and the ones ApplicationSets make."""
    is_local, notice = local_matcher(docs, remote_urls, files)
    if notice:
        notices.append(notice)
    apps: list[ArgoApp] = []
    repo = RepoView(cache, sorted(files), is_local, declared_clusters, env_words)  # what ApplicationSet generators read
    for path, index, data in docs:
        parsed, doc_notices = argocd.parse_doc(data, file=path, doc=index, is_local=is_local, repo=repo)
        apps.extend(parsed)
        unmodeled.extend(doc_notices)  # generators and templates that could not be expanded
    stand_ins = appset_infer.notice(repo.stand_ins)
    if stand_ins:  # modeled, but not all of it: counted with what was not modeled (--strict fails)
        unmodeled.append(stand_ins)
    return apps


def items(data: Any) -> list[Any]:
    """A document, or the items of a `kind: List` (what `kubectl get -o yaml` writes)."""
    if isinstance(data, dict) and data.get("kind") == "List" and isinstance(data.get("items"), list):
        return list(data["items"])
    return [data]


def local_matcher(docs: list[tuple[str, int, dict[str, Any]]], remote_urls: list[str],
                   files: set[str]) -> tuple[Callable[[str], bool], str | None]:
    """Which repoURLs are this repository: a remote's URL; else (no remote matches: a fork, mirror or
    SSH alias, or no remote at all) the ones whose paths exist here — said once in a notice."""
    remotes = {gitio.normalize_url(u) for u in remote_urls}
    urls = {gitio.normalize_url(str(s.get("repoURL") or "")) for _, _, d in docs for s in _raw_sources(d)}
    if remotes & urls:
        return (lambda url: gitio.normalize_url(url) in remotes), None
    dirs = {parent for f in files for parent in _parents(f)}
    seen: dict[str, bool] = {}
    for _, _, data in docs:
        sources = _raw_sources(data)
        ref_files = [str(f) for s in sources if isinstance(s.get("helm"), dict)
                     for f in s["helm"].get("valueFiles") or () if str(f).startswith("$")]
        for source in sources:
            url = gitio.normalize_url(str(source.get("repoURL") or ""))
            path, ref = source.get("path"), source.get("ref")
            exists = isinstance(path, str) and path.strip("./") != "" and "{{" not in path \
                and posixpath.normpath(path.strip("/")) in dirs
            if ref and not exists:  # a values-only source: do its `$ref/...` files exist here?
                exists = any(f.startswith(f"${ref}/") and posixpath.normpath(f[len(str(ref)) + 2:]) in files
                             for f in ref_files)
            seen[url] = seen.get(url, False) or exists
    if len(seen) == 1 and any(seen.values()):
        matcher: Callable[[str], bool] = lambda url: not _placeholder(url)  # noqa: E731
        local = {u for u in seen if not _placeholder(u)}
    else:
        local = {url for url, exists in seen.items() if exists and not _placeholder(url)}
        known = local | remotes  # a remote's URL is this repo when an ApplicationSet renders it (`{{repo}}`)
        matcher = lambda url: gitio.normalize_url(url) in known  # noqa: E731
    notice = None
    if remotes and local:
        notice = (f"no git remote matches the Applications' repoURL ({', '.join(sorted(local)[:3])}); they are "
                  "treated as this repository because their paths exist here (a fork, mirror or SSH alias?)")
    return matcher, notice


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _placeholder(url: str) -> bool:
    """`<GITOPS_REPO_URL>`, `https://github.com/<ORG>/<REPO>`, `${REPO}`: a template's stand-in, never this repo."""
    return any(mark in url for mark in ("<", ">", "${", "{{"))


def _raw_sources(data: dict[str, Any]) -> list[dict[str, Any]]:
    return argocd.raw_sources(data)  # typed: read before the documents are parsed
