"""`gitops-lint discover`: the repo model as text or JSON, so users can see what was understood."""
from __future__ import annotations

from typing import Any

from gitops_lint import promotionorder
from gitops_lint.formats.escape import not_a_command, visible
from gitops_lint.model import Deployment
from gitops_lint.repo import RepoModel
from gitops_lint.yamlio import format_keypath


def _dep_dict(dep: Deployment) -> dict[str, Any]:
    argo = dep.argo
    return {
        "env": dep.env.name, "role": dep.env.role, "protected": dep.env.protected,
        "production": dep.env.production, "kind": dep.kind, "layout": dep.layout, "chart": dep.chart_dir,
        "value_files": list(dep.value_files),
        "values_in": [{"path": o.path, "key": format_keypath(o.keypath or ()), "doc": o.doc} for o in dep.values_in],
        "artifacts": [{"kind": a.kind, "name": a.name, "version": a.tag or a.digest} for a in dep.artifacts],
        "missing_value_files": list(dep.missing_value_files), "namespace": dep.namespace,
        "revision": dep.revision,
        "application": None if argo is None else {
            "name": argo.name, "file": argo.file, "automated": argo.automated, "server": argo.dest_server,
            "generated_by": argo.generated_by, "stand_in_for": argo.stand_in,
            "sources": [{"repoURL": s.repo_url, "path": s.path, "chart": s.chart, "targetRevision": s.target_revision,
                         "ref": s.ref, "local": s.local} for s in argo.sources],
        },
    }


def model_dict(model: RepoModel) -> dict[str, Any]:
    graph = promotionorder.edges(model)
    return {
        "apps": [{"name": app.name, "envs": [_dep_dict(d) for d in app.deployments],
                  "promotion": [{"from": e.upstream, "to": e.downstream, "evidence": e.evidence, "detail": e.detail}
                                for e in graph if e.app == app.name]} for app in model.apps],
        "declared_orders": [{"envs": list(o.envs), "source": o.source, "file": o.file} for o in model.declared_orders],
        "unused_env_files": [{"app": a, "env": e, "path": p} for a, e, p in model.unused_env_files],
        "other_applications": sorted({f"{a.name} ({a.file})" for a in model.argo_apps} -
                                     {f"{d.argo.name} ({d.argo.file})" for d in model.deployments() if d.argo}),
        "overlay_objects": [{"overlay": o.overlay, "env": o.env.name, "kind": o.kind, "name": o.name, "file": o.file}
                            for o in model.overlay_objects],
        "notices": model.unmodeled + model.notices,
        "problems": [{"rule": p.rule, "path": p.path, "line": p.line, "message": p.message}
                     for p in model.problems()],
    }


def model_text(model: RepoModel) -> str:
    data = model_dict(model)
    lines: list[str] = []
    for app, entry in zip(model.apps, data["apps"]):
        chain = " → ".join(", ".join(d.env.name for d in app.deployments if d.env.rank == rank)
                           for rank in sorted({d.env.rank for d in app.deployments}))
        found_by = ", ".join(sorted({d.layout for d in app.deployments if d.layout}))
        lines.append(f"{app.name}  ({chain})" + (f"  found by: {found_by}" if found_by else ""))
        if entry["promotion"]:
            lines.append("  promotion:")
            lines.extend(f"    {e['from']} → {e['to']}  {e['evidence']} ({e['detail']})" for e in entry["promotion"])
        for dep in app.deployments:
            tags = [t for t, on in (("protected", dep.env.protected), ("production", dep.env.production)) if on]
            lines.append(f"  {dep.env.name}" + (f"  [{', '.join(tags)}]" if tags else ""))
            if dep.argo is not None:
                how = "auto-sync" if dep.argo.automated else "manual sync"
                made = f", from {dep.argo.generated_by}" if dep.argo.generated_by else ""
                made += " for a stand-in cluster" if dep.argo.stand_in else ""
                local = any(s.local for s in dep.argo.sources)
                lines.append(f"    application: {dep.argo.name} ({dep.argo.file}{made}), {how}, "
                             f"namespace {dep.namespace or '-'}, watches "
                             f"{dep.revision or ('HEAD' if local else 'no source in this repository')}")
            if dep.kind == "kustomize":
                lines.append(f"    kustomization: {', '.join(dep.value_files)}")
            else:
                lines.append(f"    chart:  {dep.chart_dir if dep.chart_dir is not None else '(external or none)'}")
                embedded = [f"{o.path} ({format_keypath(o.keypath or ())})" for o in dep.values_in]
                lines.append(f"    values: {', '.join(list(dep.value_files) + embedded) or '(none)'}")
                lines.extend(f"    {a.kind.split('-')[0]} version: {a.name} {a.tag or a.digest or '(none)'}"
                             for a in dep.artifacts)
            if dep.missing_value_files:
                lines.append(f"    missing values files: {', '.join(dep.missing_value_files)}")
    if not model.apps:
        lines.append("no multi-environment apps found")
    for key, title in (("unused_env_files", "env values files no Application uses"),
                       ("other_applications", "Applications with no env (not compared)")):
        if data[key]:
            lines += ["", f"{title}:"]
            lines.extend(f"  {item['path'] if isinstance(item, dict) else item}" for item in data[key])
    built: dict[tuple[str, str], list[str]] = {}
    for obj in model.overlay_objects:
        built.setdefault((obj.overlay, obj.env.name), []).append(obj.kind)
    if built:
        lines += ["", "Argo CD objects production overlays build (judged as built, not as their base files read):"]
        lines.extend(f"  {overlay} ({env}): " + ", ".join(f"{kinds.count(k)} {k}{'s' if kinds.count(k) > 1 else ''}"
                                                          for k in sorted(set(kinds)))
                     for (overlay, env), kinds in built.items())
    for notice in model.unmodeled + model.notices:
        lines.append(f"note: {notice}")
    for problem in model.problems():
        lines.append(f"problem: {problem.path}:{problem.line or '-'} {problem.rule} {problem.message}")
    # every line mixes our words with names and paths from the repo; none of ours has a control character
    return "\n".join(not_a_command(visible(line)) for line in lines) + "\n"
