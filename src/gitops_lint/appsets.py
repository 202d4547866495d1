"""ApplicationSets -> the Applications their generators make.

The generators (appset_generators: list, clusters, git, matrix, merge) give parameter sets; each
renders the template (appset_template: fasttemplate, or Go templates with `goTemplate: true`),
then `templatePatch` when it is static after rendering, and `build` turns the result into an
ArgoApp located at the template (`base = spec.template`), so a finding on a generated Application
points at the template line that made it. What cannot be resolved from the repo alone is a notice,
never guessed. At most MAX_APPLICATIONS are modeled per ApplicationSet (a matrix multiplies, and
every Application costs its own values) and appset_repo.MAX_TOTAL per discovery run.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitops_lint import appset_params
from gitops_lint.appset_generators import MAX_APPLICATIONS, Generators
from gitops_lint.appset_params import ORIGINS, STAND_IN, Params, deep_merge
from gitops_lint.appset_repo import MAX_TOTAL, RepoView
from gitops_lint.appset_template import Syntax, Unresolved, Unsupported, render, render_text
from gitops_lint.argofields import Fields
from gitops_lint.errors import YamlProblem
from gitops_lint.model import ArgoApp
from gitops_lint import yamlio

Build = Callable[[Any, Fields, str], "ArgoApp | None"]
_PATCH_DEPTH = 64


def expand(data: dict[str, Any], *, file: str, build: Build,
           repo: RepoView | None = None) -> tuple[list[ArgoApp], list[str]]:
    """The Applications an ApplicationSet makes (`build` turns one rendered template into one),
    and notices about what could not be modeled. Without `repo` only `list` generators expand."""
    fields = Fields(f"{file}: ApplicationSet")
    meta = fields.mapping(data, "metadata", "metadata") or {}
    name = fields.text(meta, "name", "metadata.name") or "?"
    fields.where = f"{file}: ApplicationSet {name}"
    spec = fields.mapping(data, "spec", "spec", then="its Applications are not modeled")
    template = fields.mapping(spec, "template", "spec.template", then="its Applications are not modeled")
    if template is None:
        if not fields.notes:
            fields.notes.append(f"{file}: ApplicationSet {name} has no template; its Applications are not modeled")
        return [], fields.notes
    assert spec is not None
    syntax = _syntax(spec, fields)
    patch = spec.get("templatePatch")
    if patch is not None and not isinstance(patch, str):
        fields.note(f"spec.templatePatch is {yamlio.type_name(patch)}, expected text; its Applications are not "
                    "modeled")
        return [], fields.notes
    generators = Generators(fields, repo, syntax, spec)
    params: list[Params] = []
    listed = fields.sequence(spec, "generators", "spec.generators", then="its Applications are not modeled")
    for index, generator in enumerate(listed or ()):
        params.extend(generators.params(generator, f"spec.generators[{index}]") or ())
    if len(params) > MAX_APPLICATIONS:
        fields.note(f"its generators make {len(params)} Applications; the first {MAX_APPLICATIONS} are modeled")
        params = params[:MAX_APPLICATIONS]
    if repo is not None:
        if len(params) > repo.remaining:
            fields.note(f"the ApplicationSets of this repository make more than {MAX_TOTAL:,} Applications in all; "
                        f"{repo.remaining} of this one's {len(params)} are modeled")
            params = params[:repo.remaining]
        repo.remaining -= len(params)
    apps = []
    for element in params:
        app = _one(template, patch, element, generators, build, name)
        if app is not None:
            apps.append(app)
    return apps, fields.notes


def git_urls(spec: Any) -> list[str]:
    """The repoURLs the git generators of an ApplicationSet spec read (nested ones too), as written:
    discovery weighs them with the template's when it decides which URLs are this repository."""
    found: list[str] = []
    top = spec.get("generators") if isinstance(spec, dict) else None
    todo = [(g, 0) for g in (top if isinstance(top, list) else ()) if isinstance(g, dict)]
    while todo and len(found) < 100:
        generator, depth = todo.pop()
        for kind, body in generator.items():
            if kind == "git" and isinstance(body, dict) and isinstance(body.get("repoURL"), str):
                found.append(body["repoURL"])
            elif kind in ("matrix", "merge") and isinstance(body, dict) and depth < 3:
                inner = body.get("generators")
                todo.extend((g, depth + 1) for g in (inner if isinstance(inner, list) else ()) if isinstance(g, dict))
    return found


def _syntax(spec: dict[Any, Any], fields: Fields) -> Syntax:
    go = fields.flag(spec, "goTemplate", "spec.goTemplate")
    options = fields.sequence(spec, "goTemplateOptions", "spec.goTemplateOptions") or []
    return Syntax(go, missing_error=go and "missingkey=error" in options)


def _one(template: dict[Any, Any], patch: str | None, element: Params, generators: Generators, build: Build,
         name: str) -> ArgoApp | None:
    """One element's Application, or None after a notice naming the element and the reason."""
    try:
        rendered = render(template, element, generators.syntax)
        if patch is not None:
            rendered = _patched(rendered, render_text(patch, element, generators.syntax), generators.fields.where)
    except Unsupported as exc:
        generators.problem(element, f"the template uses {exc}, which is not evaluated")
        return None
    except Unresolved as exc:
        generators.problem(element, str(exc))
        return None
    own = Fields(f"{generators.fields.where}: Application")
    app = build(rendered, own, f"ApplicationSet {name}")
    generators.fields.notes.extend(own.notes)
    if app is None:
        return None
    traced = tuple(appset_params.traced(template, element.get(ORIGINS) or {}, ("spec", "template")))
    return app._replace(stand_in=element.get(STAND_IN) or None, traced=traced)


def _patched(rendered: Any, text: str, where: str) -> Any:
    """templatePatch, rendered: YAML whose mappings merge over the template (lists and scalars replace)."""
    try:
        docs = yamlio.load_text(text, where.split(": ", 1)[0], positions=False).docs
    except YamlProblem as problem:
        raise Unsupported(f"a templatePatch that is not YAML once rendered ({problem.message})") from None
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        raise Unsupported("a templatePatch that is not one mapping once rendered")
    return deep_merge(rendered, docs[0].data, _PATCH_DEPTH)

