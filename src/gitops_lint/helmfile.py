"""Layout plug-in: helmfile environments (see plugins.py for the protocol).

A helmfile (`helmfile.yaml`, `helmfile.yaml.gotmpl`, `helmfile.d/*.yaml`) declares its envs under
`environments:`, each with `values:` files that every release template reads (`.StateValues`).
Those files are where teams keep what differs per env (`API_DOCKER_TAG: "a15dd86"`), so each
helmfile becomes one app whose envs are its `environments` that name an env role, and each env's
values files (in order) are its `value_files`: images, parity and the history rules read them like
any values file. The helmfile is read statically (helmfile_text: template actions blanked, never
executed); `bases:` are followed (their relative paths resolve against the helmfile that loads
them, as helmfile does). Releases whose values files are named per env (`{{ .Environment.Name }}`)
are apps of their own (helmfile_releases); values templates (`*.gotmpl`) are not read.

What cannot be read is said in a notice naming the file and line: a values file that does not
exist (`helmfile -e <env>` fails), a templated path, inline values, envs with no role.
"""
from __future__ import annotations

import posixpath
from typing import Any, NamedTuple

from gitops_lint import helmfile_releases, helmfile_text, yamlio
from gitops_lint.model import Deployment, KeyPath

NAMES = frozenset({"helmfile.yaml", "helmfile.yml", "helmfile.yaml.gotmpl", "helmfile.yml.gotmpl"})
_D_SUFFIXES = (".yaml", ".yml", ".yaml.gotmpl", ".yml.gotmpl")
MAX_HELMFILES = 200
MAX_ENVS = 100  # per helmfile
MAX_VALUES = 50  # values entries per env
MAX_BASE_DEPTH = 3
_LENIENT = frozenset({"warn", "info", "debug"})  # missingFileHandler values that let a missing file pass


class Entry(NamedTuple):
    """One `environments.<env>.values` item, where it is written, and the directory it resolves against."""

    value: Any
    file: str
    line: int | None
    base_dir: str
    actions: tuple[str, ...]
    lenient: bool  # the env's missingFileHandler lets a missing file pass


class Helmfile:
    name = "helmfile"

    def find(self, ctx: Any) -> None:
        """Appends one app per helmfile to `ctx` (plugins.Context), its envs from `environments:`, and one
        per release with per-env values files (helmfile_releases)."""
        paths = [p for p in ctx.files if is_helmfile(p)]
        if len(paths) > MAX_HELMFILES:
            ctx.unmodeled.append(f"{len(paths)} helmfiles: only the first {MAX_HELMFILES} are read")
        per_dir: dict[str, int] = {}
        for path in paths[:MAX_HELMFILES]:
            per_dir[posixpath.dirname(path)] = per_dir.get(posixpath.dirname(path), 0) + 1
        for path in paths[:MAX_HELMFILES]:
            state = helmfile_text.read(ctx, path)
            if state is None:
                continue
            envs = _environments(ctx, path, state, posixpath.dirname(path), depth=0)
            if not envs:
                ctx.unmodeled.append(f"{path}: a helmfile with no environments, so there is nothing to compare")
                continue
            name = _app_name(ctx, path, per_dir)
            deps = _deployments(ctx, path, envs, name)
            has_values = any(d.value_files or d.missing_value_files for d in deps)
            if deps and has_values:
                ctx.add(name, deps, self.name)
            releases = helmfile_releases.add_apps(ctx, path, state, [d.env for d in deps], name)
            if deps and not has_values and not releases:
                ctx.add(name, deps, self.name)  # envs with no values files: shown, nothing to compare


def is_helmfile(path: str) -> bool:
    name = posixpath.basename(path)
    return name in NAMES or (posixpath.basename(posixpath.dirname(path)) == "helmfile.d" and name.endswith(_D_SUFFIXES))


def _app_name(ctx: Any, path: str, per_dir: dict[str, int]) -> str:
    """The helmfile's directory (`helmfile`, `deploy/payments`), the repo's name at the root, or the
    file's path without its suffixes when a directory holds several (`helmfile.d/10-apps`)."""
    directory = posixpath.dirname(path)
    name = directory or ctx.root.resolve().name
    if per_dir[directory] > 1 or posixpath.basename(directory) == "helmfile.d":
        name = path.split(".yaml", 1)[0].split(".yml", 1)[0]
    return path if name in ctx.grouped else name


def _environments(ctx: Any, path: str, state: helmfile_text.State, base_dir: str, *,
                  depth: int) -> dict[str, list[Entry]]:
    """env name -> its values entries, from `bases:` first, then the file's own documents in order."""
    docs, actions = state
    envs: dict[str, list[Entry]] = {}
    for doc in docs:
        if not isinstance(doc.data, dict):
            continue
        for base in _bases(ctx, path, doc, base_dir, depth):
            for name, entries in base.items():
                envs.setdefault(name, []).extend(entries)
        declared = doc.data.get("environments")
        if declared is None:
            continue
        if not isinstance(declared, dict):
            ctx.unmodeled.append(f"{helmfile_text.where(path, doc, ('environments',))}: environments is "
                                 f"{yamlio.type_name(declared)}, not a mapping; not read")
            continue
        for name, body in list(declared.items())[:MAX_ENVS]:
            envs.setdefault(str(name), []).extend(_entries(ctx, path, doc, str(name), body, base_dir, actions))
        if len(declared) > MAX_ENVS:
            ctx.unmodeled.append(f"{path}: {len(declared)} environments; only the first {MAX_ENVS} are read")
    return envs


def _bases(ctx: Any, path: str, doc: helmfile_text.HelmfileDoc, base_dir: str,
           depth: int) -> list[dict[str, list[Entry]]]:
    bases = doc.data.get("bases")
    if bases is None:
        return []
    if not isinstance(bases, list):
        ctx.unmodeled.append(f"{helmfile_text.where(path, doc, ('bases',))}: bases is {yamlio.type_name(bases)}, not a list; "
                             "not read")
        return []
    found = []
    for index, base in enumerate(bases):
        resolved = helmfile_text.resolve(posixpath.dirname(path), base) if isinstance(base, str) else None
        if resolved is None or resolved not in ctx.file_set or depth >= MAX_BASE_DEPTH:
            ctx.unmodeled.append(f"{helmfile_text.where(path, doc, ('bases', index))}: base {_shown(base)} is not read "
                                 f"({_why_not(resolved, ctx.file_set)}); environments it declares are not "
                                 "modeled")
            continue
        state = helmfile_text.read(ctx, resolved)
        if state is not None:
            found.append(_environments(ctx, resolved, state, base_dir, depth=depth + 1))
    return found


def _why_not(resolved: str | None, files: set[str]) -> str:
    if resolved is None:
        return "not a plain path inside the repository"
    return "it does not exist" if resolved not in files else f"bases nested over {MAX_BASE_DEPTH} deep"


def _entries(ctx: Any, path: str, doc: helmfile_text.HelmfileDoc, env: str, body: Any, base_dir: str,
             actions: tuple[str, ...]) -> list[Entry]:
    """Type-checked `environments.<env>.values` items (each a file path or an inline mapping)."""
    here: KeyPath = ("environments", env)
    if body is None:
        return []
    if not isinstance(body, dict):
        ctx.unmodeled.append(f"{helmfile_text.where(path, doc, here)}: environments.{env} is {yamlio.type_name(body)}, "
                             "not a mapping; not read")
        return []
    values = body.get("values")
    handler = body.get("missingFileHandler")
    lenient = isinstance(handler, str) and handler.lower() in _LENIENT
    if values is None:
        return []
    if not isinstance(values, list):
        ctx.unmodeled.append(f"{helmfile_text.where(path, doc, here + ('values',))}: environments.{env}.values is "
                             f"{yamlio.type_name(values)}, not a list; not read")
        return []
    if len(values) > MAX_VALUES:
        ctx.unmodeled.append(f"{path}: environments.{env}.values has {len(values)} items; only the first "
                             f"{MAX_VALUES} are read")
    return [Entry(item, path, helmfile_text.line_of(doc, here + ("values", index)), base_dir, actions, lenient)
            for index, item in enumerate(values[:MAX_VALUES])]


def _deployments(ctx: Any, path: str, envs: dict[str, list[Entry]], app: str) -> list[Deployment]:
    """One Deployment per env that names a role; the others are listed in one notice."""
    outside: list[str] = []
    deps: list[Deployment] = []
    for env, entries in envs.items():
        found = ctx.scheme.find(env)
        role = ctx.scheme.role_of(env) or (found[0] if found else None)
        present, missing = _files(ctx, env, entries)
        if role is None:
            outside.append(env)
            continue
        deps.append(Deployment(app=app, env=ctx.scheme.env(role, env), chart_dir=None, value_files=tuple(present),
                               missing_value_files=tuple(missing), argo=None, namespace=None, revision=None,
                               kind="helmfile"))
        for value_file in present:
            ctx.consumers.setdefault(value_file, app)  # so env-files does not find them a second time
    if outside:
        they = ("envs", "name", "they are", "them") if len(outside) > 1 else ("env", "names", "it is", "it")
        ctx.unmodeled.append(f"{path}: helmfile {they[0]} {', '.join(outside)} {they[1]} no env role, so {they[2]} "
                             f"not compared (add {they[3]} under environments.aliases to compare {they[3]})")
    return deps


def _files(ctx: Any, env: str, entries: list[Entry]) -> tuple[list[str], list[str]]:
    """The env's values files that exist, in order, and those declared but absent (each said in a notice)."""
    present: list[str] = []
    missing: list[str] = []
    inline = None
    for entry in entries:
        where = f"{entry.file}:{entry.line}" if entry.line else entry.file
        if isinstance(entry.value, dict):
            inline = inline or where
            continue
        if not isinstance(entry.value, str):
            ctx.unmodeled.append(f"{where}: a values item of helmfile env {env} is "
                                 f"{yamlio.type_name(entry.value)}, not a file path; not read")
            continue
        shown = helmfile_text.restore(entry.value, entry.actions)
        expanded = helmfile_text.expand(entry.value, entry.actions, env)
        resolved = helmfile_text.resolve(entry.base_dir, expanded) if expanded is not None else None
        if resolved is None:
            why = "a template expression" if expanded is None else "not a plain path inside the repository"
            ctx.unmodeled.append(f"{where}: values file {shown} of helmfile env {env} is {why}; it is not read")
        elif resolved not in ctx.file_set:
            if not entry.lenient:
                missing.append(resolved)
                ctx.missing_files.append((entry.file, entry.line, env, resolved))
        elif resolved.endswith(".gotmpl"):
            ctx.unmodeled.append(f"{where}: values file {resolved} of helmfile env {env} is a Go template; it is "
                                 "not read")
        elif resolved not in present:
            present.append(resolved)
    if inline:
        ctx.unmodeled.append(f"{inline}: inline values of helmfile env {env} are not read (only values files are)")
    return present, missing


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else f"({yamlio.type_name(value)})"
