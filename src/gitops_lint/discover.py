"""Repo -> apps x envs, without configuration.

Argo CD Applications decide which files an env uses when they exist; file and directory names
(`values-<env>.yaml`, `envs/<env>/values.yaml`, ...) are the fallback for the rest.
"""
from __future__ import annotations

import posixpath
from pathlib import Path

from gitops_lint import argocd, argodocs, gitio, inferorder, plugins, promotionorder
from gitops_lint.cache import DiskCache
from gitops_lint.config import Config, layout_regex
from gitops_lint.envs import EnvScheme
from gitops_lint.argocd import chart_source
from gitops_lint.model import Deployment, GitView
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
    argo_docs = argodocs.argo_documents(cache, manifests)
    argo_apps = argodocs.argo_apps(cache, argo_docs, notices, unmodeled, gitio.remote_urls(git.root), set(files),
                           declared_clusters=config.clusters, env_words=config.scheme.words())
    orders = _declared_orders(cache, manifests)
    known = config.scheme.with_aliases(promotionorder.roles_for_unknown(orders, config.scheme))
    orders += inferorder.infer(git.root, inferorder.candidates(yaml_files, charts, known))
    extra = promotionorder.roles_for_unknown(orders, config.scheme)
    if extra:  # env names only a declared order introduces (`latest` → `stable`)
        config = config._replace(scheme=config.scheme.with_aliases(extra))
    ctx = plugins.Context(root, config, cache, files, charts, yaml_files, argo_apps)
    ctx.argo_docs = argo_docs  # every Argo CD object as written (argo_overlays finds the file of a built one)
    ctx.render = render  # --no-render: layouts that need a render (app of apps) say they did not model
    for layout in plugins.registry():
        layout.find(ctx)
    grouped, unused = ctx.grouped, ctx.unused
    if ctx.consumed_argo_files:  # read alone they were no env's truth: their notices go with them
        unmodeled = [n for n in unmodeled if n.split(": ", 1)[0] not in ctx.consumed_argo_files]
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
    model.values_templates = tuple(ctx.templates)
    model.rendered_charts = frozenset(ctx.rendered_charts)
    model.overlay_objects = tuple(ctx.overlay_objects)
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
            for item in argodocs.items(doc.data):
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
