"""Repo -> apps x envs, without configuration.

Argo CD Applications decide which files an env uses when they exist; file and directory names
(`values-<env>.yaml`, `envs/<env>/values.yaml`, ...) are the fallback for the rest.
"""
from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitops_lint import argocd, gitio, inferorder, plugins, promotionorder
from gitops_lint.cache import DiskCache
from gitops_lint.config import Config, layout_regex
from gitops_lint.envs import EnvScheme
from gitops_lint.model import ArgoApp, Deployment, GitView, Image, Origin
from gitops_lint.argocd import chart_source, resolve_value_file
from gitops_lint.appset_repo import RepoView
from gitops_lint.layouts import KUSTOMIZATIONS, joined
from gitops_lint.repo import AppModel, FileCache, RepoModel
from gitops_lint.snapshot import WorkTree
from gitops_lint.errors import YamlProblem

YAML_SUFFIXES = (".yaml", ".yml")


def discover(root: Path, config: Config, git: GitView | None = None, disk: DiskCache | None = None, *,
             render: bool = True) -> RepoModel:
    git = git or GitView(root, WorkTree(root))
    cache = FileCache(git.snapshot, disk)
    notices: list[str] = []
    files = [f for f in git.snapshot.files() if not config.excluded(f)]
    charts = sorted({posixpath.dirname(f) for f in files if posixpath.basename(f) == "Chart.yaml"})
    yaml_files = [f for f in files if f.endswith(YAML_SUFFIXES) and not _is_template(f, charts)
                  and not f.endswith(".gotmpl")]
    manifests = yaml_files + [f for f in files if f.endswith(".json") and not _is_template(f, charts)]
    unmodeled: list[str] = []
    argo_apps = _argo_apps(cache, manifests, notices, unmodeled, gitio.remote_urls(git.root), set(files),
                           declared_clusters=config.clusters)
    orders = _declared_orders(cache, manifests)
    known = config.scheme.with_aliases(promotionorder.roles_for_unknown(orders, config.scheme))
    orders += inferorder.infer(git.root, inferorder.candidates(yaml_files, charts, known))
    extra = promotionorder.roles_for_unknown(orders, config.scheme)
    if extra:  # env names only a declared order introduces (`latest` → `stable`)
        config = config._replace(scheme=config.scheme.with_aliases(extra))
    ctx = plugins.Context(root, config, cache, files, charts, yaml_files, argo_apps)
    ctx.render = render  # --no-render: layouts that need a render (app of apps) say they did not model
    for layout in plugins.registry():
        layout.find(ctx)
    grouped, unused = ctx.grouped, ctx.unused
    unmodeled += ctx.unmodeled
    apps = [AppModel(name, tuple(sorted(deps, key=lambda d: (d.env.rank, d.env.name))))
            for name, deps in sorted(grouped.items())]
    for model_app in apps:
        names = [d.env.name for d in model_app.deployments]
        for role in sorted({d.env.role for d in model_app.deployments}):
            same = [d.env.name for d in model_app.deployments if d.env.role == role]
            later = any(d.env.rank > config.scheme.rank(role) for d in model_app.deployments)
            if len(same) > 1 and len(set(same)) > 1 and later:  # siblings at the end (prod-east, prod-west) are fine
                notices.append(f"{model_app.name}: {', '.join(same)} are all {role} envs; the next env compares with "
                               f"{same[0]} (set environments.order or exclude the others to choose); chain: "
                               f"{' → '.join(names)}")
    for path in sorted({p for deps in grouped.values() for d in deps for p in d.value_files}
                       | {p for _, _, p in unused}):
        cache.load(path)  # every file the model needs is read once, so yaml/* sees them all
    model = RepoModel(root, config, cache, apps=apps, argo_apps=argo_apps, unused_env_files=unused,
                      files=files, notices=notices, git=git, unmodeled=unmodeled)
    model.declared_orders = tuple(orders)
    model.missing_files = tuple(ctx.missing_files)
    model.rendered_projects = tuple(ctx.projects)
    return model


def _declared_orders(cache: FileCache, paths: list[str]) -> list[promotionorder.DeclaredOrder]:
    """Promotion orders declared in the repo (PromotionStrategy, Kargo Stages, Progressive Sync);
    only files that name one of them are parsed."""
    orders: list[promotionorder.DeclaredOrder] = []
    stages: list[tuple[str, list[str], str]] = []
    for path in paths:
        try:
            if not cache.mentions(path) & {b"PromotionStrategy", b"rollingSync", b"kargo.akuity.io"}:
                continue
        except YamlProblem:
            continue  # noted by _argo_apps
        loaded = cache.load(path)
        for doc in loaded.docs if loaded is not None else ():
            for item in _items(doc.data):
                orders.extend(promotionorder.declared_in(item, path))
                stage = promotionorder.kargo_stage(item)
                if stage is not None:
                    stages.append((stage[0], stage[1], path))
    return orders + promotionorder.kargo_orders(stages)


def declared_layouts(config: Config, files: list[str], grouped: dict[str, list[Deployment]]) -> None:
    """`layouts:` from the config: each matching file is one more values layer of its app and env."""
    for layout in config.layouts:
        pattern = layout_regex(layout["files"])
        for path in files:
            match = pattern.match(path)
            role = config.scheme.role_of(match.group("env")) if match else None
            if match is None or role is None:
                continue
            if layout.get("envs") and match.group("env").lower() not in {e.lower() for e in layout["envs"]}:
                continue
            app = match.groupdict().get("app") or layout.get("app") or match.group("env")
            deps = grouped[app]
            name = match.group("env")
            index = next((i for i, d in enumerate(deps) if d.env.role == role and d.env.name.lower() == name.lower()),
                         None)
            if index is None:
                deps.append(Deployment(app=app, env=config.scheme.env(role, name), chart_dir=None,
                                       value_files=(path,), missing_value_files=(), argo=None, namespace=None,
                                       revision=None))
            else:
                deps[index] = deps[index]._replace(value_files=deps[index].value_files + (path,))


def merge_variants(grouped: dict[str, list[Deployment]], scheme: EnvScheme) -> None:
    """`prod-app-west` and `prod-app-east` beside `dev-app`/`staging-app`, same source: two prod targets of `app`."""
    def key(dep: Deployment) -> tuple[str, str, str] | None:
        if dep.argo is not None and argocd.rendered_by_chart(dep.argo):
            return None  # its env is its values file's, never a suffix of its name
        src = chart_source(dep.argo) if dep.argo else None
        return argocd.source_key(src, scheme.fold) if src is not None else None

    for name in sorted(grouped, key=len, reverse=True):
        for other in sorted(grouped, key=len):
            if other == name or not name.startswith(other + "-") or name not in grouped:
                continue
            keys = {key(d) for d in grouped[name]} | {key(d) for d in grouped[other]}
            if len(keys) != 1 or None in keys:
                continue
            suffix = name[len(other) + 1:]
            grouped[other].extend(d._replace(app=other, env=d.env._replace(name=f"{d.env.name}-{suffix}"))
                                  for d in grouped.pop(name))
            break


def _is_template(path: str, charts: list[str]) -> bool:
    """Helm templates are Go templates, not YAML: never parsed."""
    parts = path.split("/")
    return any(part == "templates" and "/".join(parts[:index]) in charts
               for index, part in enumerate(parts[:-1]))


def _argo_apps(cache: FileCache, paths: list[str], notices: list[str], unmodeled: list[str],
               remote_urls: list[str], files: set[str], *, declared_clusters: tuple[Any, ...] = ()) -> list[ArgoApp]:
    """Applications and ApplicationSets from parsed documents (YAML or JSON, `kind: List` items too).

    A file is parsed only when it can hold one: it names `argoproj`, or it has a backslash (an
    escape can spell any text) or a byte-order mark (UTF-16/32 text hides every ASCII word)."""
    docs = []
    for path in paths:
        try:
            if not cache.mentions(path) & {b"argoproj", b"\\", b"BOM"}:
                continue
        except YamlProblem as problem:
            cache.note(problem)
            continue
        loaded = cache.load(path)
        for index, doc in enumerate(loaded.docs if loaded is not None else ()):
            for item in _items(doc.data):
                if argocd.is_argo_doc(item):
                    docs.append((path, index, item))
    is_local, notice = _local_matcher(docs, remote_urls, files)
    if notice:
        notices.append(notice)
    apps: list[ArgoApp] = []
    repo = RepoView(cache, sorted(files), is_local, declared_clusters)  # what ApplicationSet generators read
    for path, index, data in docs:
        parsed, doc_notices = argocd.parse_doc(data, file=path, doc=index, is_local=is_local, repo=repo)
        apps.extend(parsed)
        unmodeled.extend(doc_notices)  # generators and templates that could not be expanded
    return apps


def _items(data: Any) -> list[Any]:
    """A document, or the items of a `kind: List` (what `kubectl get -o yaml` writes)."""
    if isinstance(data, dict) and data.get("kind") == "List" and isinstance(data.get("items"), list):
        return list(data["items"])
    return [data]


def _local_matcher(docs: list[tuple[str, int, dict[str, Any]]], remote_urls: list[str],
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

def argo_deployment(app: ArgoApp, scheme: EnvScheme, files: set[str]) -> Deployment | None:
    role, display, name = _argo_env(app, scheme)
    if role is None:
        return None
    chart = chart_source(app)
    chart_dir = None
    kind = "helm"
    value_files: list[str] = []
    if chart is not None and chart.local and chart.path is not None:
        chart_dir = posixpath.normpath(chart.path.strip("/")) if chart.path.strip("/") else ""
        kustomization = _kustomization(chart_dir, files)
        if joined(chart_dir, "values.yaml") in files:
            value_files.append(joined(chart_dir, "values.yaml"))
        elif kustomization and joined(chart_dir, "Chart.yaml") not in files:
            kind = "kustomize"
            value_files.append(kustomization)
    missing = []
    for source in app.sources:
        for value_file in source.value_files:
            resolved = resolve_value_file(app, value_file)
            if resolved is None:
                continue
            if resolved in files:
                if resolved not in value_files:
                    value_files.append(resolved)
            elif not source.ignore_missing_value_files:
                missing.append(resolved)
    return Deployment(app=name, env=scheme.env(role, display), chart_dir=chart_dir,
                      value_files=tuple(value_files), missing_value_files=tuple(missing), argo=app,
                      namespace=app.dest_namespace or None,
                      revision=app.hydrator[1] if app.hydrator else _git_revision(app), kind=kind,
                      artifacts=_chart_version(app))


def _chart_version(app: ArgoApp) -> tuple[Image, ...]:
    """A chart from a Helm repository is an artifact too: its targetRevision is the chart version,
    and a range there (`1.*`, `>=6.0.0`) deploys new releases without a commit (mutable-tag)."""
    chart = chart_source(app)
    if chart is None or chart.local or not chart.chart or chart.target_revision.upper() == "HEAD":
        return ()
    where = Origin(app.file, (chart.origin.keypath or ()) + ("targetRevision",), app.doc)
    return (Image((chart.origin.keypath or ()) + ("targetRevision",), "", f"{chart.repo_url.rstrip('/')}/{chart.chart}",
                  chart.target_revision, "", where, Origin(app.file, (chart.origin.keypath or ()) + ("chart",), app.doc),
                  kind="chart"),)


def _git_revision(app: ArgoApp) -> str | None:
    """The git revision this repo's files are deployed from: the local chart source's, else the
    local `ref` source's (a remote chart's targetRevision is a chart version, not a git revision)."""
    chart = chart_source(app)
    if chart is not None and chart.local:
        return chart.target_revision
    return next((s.target_revision for s in app.sources if s.local and s.ref is not None), None)


def _kustomization(directory: str, files: set[str]) -> str | None:
    return next((joined(directory, n) for n in KUSTOMIZATIONS if joined(directory, n) in files), None)


def _argo_env(app: ArgoApp, scheme: EnvScheme) -> tuple[str | None, str, str]:
    """(role, how the repo spells it, app name without the env) from name, valueFiles, namespace."""
    if argocd.rendered_by_chart(app):  # rendered (app of apps): it exists in the env its values file names
        for part in reversed(app.file.split("/")):
            found = scheme.find(part.rsplit(".", 1)[0] if part.endswith(YAML_SUFFIXES) else part)
            if found:
                named = scheme.find(app.name)
                same = named is not None and named[0] == found[0] and named[2]
                return found[0], found[1], named[2] if same and named else app.name
    found = scheme.find(app.name)
    if found:
        role, display, rest = found
        return role, display, rest or app.name
    for source in app.sources:
        for value_file in reversed(source.value_files):
            found = scheme.find(posixpath.basename(value_file))
            if found:
                return found[0], found[1], app.name
    found = scheme.find(app.dest_namespace) if app.dest_namespace else None
    if found:
        return found[0], found[1], app.name
    return None, "", app.name


