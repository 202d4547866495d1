"""`.gitops-lint.yaml`: find, load, validate against the shipped JSON Schema.

The file is read like every other repo file (inside the repository, a regular file, under the
size limit: a `.gitops-lint.yaml` symlinked to `~/.git-credentials` is refused unread), and no
error message quotes its content (configerrors).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import configerrors, globs, yamlio
from gitops_lint.configcheck import line
from gitops_lint.envs import EnvScheme
from gitops_lint.errors import ConfigError, ConfigErrors, YamlProblem

CONFIG_NAMES = (".gitops-lint.yaml", ".gitops-lint.yml")
DEFAULT_EXCLUDES = (".git/**", "**/node_modules/**", "**/vendor/**", "**/.terraform/**")


class Config(NamedTuple):
    path: str | None  # where it was read from, None = defaults
    rules: dict[str, Any]  # rule id -> severity string or mapping
    scheme: EnvScheme
    exclude: tuple[str, ...]
    exemptions: tuple[dict[str, Any], ...]
    layouts: tuple[dict[str, str], ...] = ()
    clusters: tuple[dict[str, Any], ...] = ()  # Argo CD clusters declared here (their Secrets live elsewhere)

    def excluded(self, relpath: str) -> bool:
        return any(path_matches(relpath, pattern) for pattern in self.exclude)


def find_config(root: Path) -> Path | None:
    """Whatever is named like the config (a link, a FIFO…): it is checked when read, never skipped."""
    for name in CONFIG_NAMES:
        if os.path.lexists(root / name):
            return root / name
    return None


def load_config(root: Path, explicit: Path | None = None) -> Config:
    path = explicit if explicit is not None else find_config(root)
    if path is None:
        return from_data({}, None)
    if explicit is not None and not os.path.lexists(path):
        raise ConfigError("config file not found", path=str(path))
    shown = _shown(path, root)
    try:
        data = _read(path, root)
    except YamlProblem as refused:
        raise ConfigError(configerrors.yaml_message(refused.message, refused.rule), path=shown) from None
    return config_from_bytes(data, shown)


def config_from_bytes(data: bytes, shown: str) -> Config:
    """The policy in a config file's bytes; YAML problems become ConfigErrors that quote nothing."""
    try:
        loaded = yamlio.load_text(yamlio.decode(data, shown), shown)
        problem = loaded.problems[0] if loaded.problems else None
    except YamlProblem as refused:
        problem = refused
    if problem is not None:
        raise ConfigError(configerrors.yaml_message(problem.message, problem.rule), path=shown, line=problem.line)
    doc = loaded.docs[0] if loaded.docs else yamlio.Document(None, {})
    return from_data(doc.data, shown, positions=doc.positions)


def _read(path: Path, root: Path) -> bytes:
    """A config inside the repository is a repo file (symlinks must stay inside); one the user names
    outside it (`--config`) only has to be a regular file under the size limit."""
    inside = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    if inside != ".." and not inside.startswith(".." + os.sep):
        return yamlio.read_bytes(root, inside)
    return yamlio.read_regular(Path(os.path.realpath(path)), str(path))


def from_data(data: Any, shown: str | None, *,
              positions: dict[Any, Any] | None = None) -> Config:
    data = {} if data is None else data
    if data != {}:  # no config, no schema to check (and no jsonschema import on the hot path)
        from gitops_lint.configcheck import problems

        found = problems(data, shown, positions or {})
        if found:
            raise ConfigErrors(found)
    envs = data.get("environments", {})
    order = envs.get("order") or None
    try:
        scheme = EnvScheme(**({"order": order} if order else {}), aliases=envs.get("aliases"),
                           protected=envs.get("protected"), production=envs.get("production"))
    except ValueError:
        raise ConfigError("invalid environments", path=shown, keypath="environments") from None
    roles = set(scheme.order)
    for index, role in enumerate(envs.get("protected") or ()):
        if role.lower() not in roles:
            raise ConfigError("names a role that is not in environments.order", path=shown,
                              line=line(positions or {}, ("environments", "protected", index)),
                              keypath=f"environments.protected[{index}]")
    if scheme.production not in roles:
        raise ConfigError("names a role that is not in environments.order", path=shown,
                          line=line(positions or {}, ("environments", "production")),
                          keypath="environments.production")
    return Config(path=shown, rules=dict(data.get("rules", {})), scheme=scheme,
                  exclude=DEFAULT_EXCLUDES + tuple(data.get("exclude", ())),
                  exemptions=tuple(data.get("exemptions", ())), layouts=tuple(data.get("layouts", ())),
                  clusters=tuple(data.get("clusters", ())))


def _shown(path: Path, root: Path) -> str:
    """The config as the user named it: repo-relative inside the repo (a symlink is not resolved)."""
    inside = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    return str(path) if inside == ".." or inside.startswith(".." + os.sep) else Path(inside).as_posix()


def layout_regex(pattern: str) -> globs.LayoutPattern:
    """`image-tags/{env}/{app}` -> a matcher whose `match(path)` has groups env and app; globs as in
    exclude. A pattern that repeats {env} or {app} is a ConfigError."""
    try:
        return globs.LayoutPattern(pattern)
    except ValueError as exc:
        raise ConfigError(f"invalid layout pattern: {exc}", keypath="layouts") from None


def path_matches(relpath: str, pattern: str) -> bool:
    """`**` crosses directories, `*` and `?` stay inside one; a pattern names a file or a directory."""
    return globs.path_matches(relpath, pattern)
