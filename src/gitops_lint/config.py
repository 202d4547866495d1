"""`.gitops-lint.yaml`: find, load, validate against the shipped JSON Schema.

The file is read like every other repo file (inside the repository, a regular file, under the
size limit: a `.gitops-lint.yaml` symlinked to `~/.git-credentials` is refused unread), and no
error message quotes its content (configerrors).
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import configerrors, globs, yamlio
from gitops_lint.envs import EnvScheme
from gitops_lint.errors import ConfigError, YamlProblem

CONFIG_NAMES = (".gitops-lint.yaml", ".gitops-lint.yml")
DEFAULT_EXCLUDES = (".git/**", "**/node_modules/**", "**/vendor/**", "**/.terraform/**")


class Config(NamedTuple):
    path: str | None  # where it was read from, None = defaults
    rules: dict[str, Any]  # rule id -> severity string or mapping
    scheme: EnvScheme
    exclude: tuple[str, ...]
    exemptions: tuple[dict[str, Any], ...]
    layouts: tuple[dict[str, str], ...] = ()

    def excluded(self, relpath: str) -> bool:
        return any(path_matches(relpath, pattern) for pattern in self.exclude)


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    text = resources.files("gitops_lint").joinpath("schemas/config.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _schema_words() -> frozenset[str]:
    return configerrors.vocabulary(config_schema())


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
        _validate(data, shown, positions or {})
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
                              line=_line(positions or {}, ("environments", "protected", index)),
                              keypath=f"environments.protected[{index}]")
    if scheme.production not in roles:
        raise ConfigError("names a role that is not in environments.order", path=shown,
                          line=_line(positions or {}, ("environments", "production")),
                          keypath="environments.production")
    _check_layouts(data.get("layouts", ()), shown, positions or {})
    _check_rule_params(data.get("rules", {}), shown, positions or {})
    return Config(path=shown, rules=dict(data.get("rules", {})), scheme=scheme,
                  exclude=DEFAULT_EXCLUDES + tuple(data.get("exclude", ())),
                  exemptions=tuple(data.get("exemptions", ())), layouts=tuple(data.get("layouts", ())))


def _validate(data: Any, shown: str | None, positions: dict[Any, Any]) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(config_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        error = jsonschema.exceptions.best_match(errors) or errors[0]
        _raise(error, config_schema(), (), shown, positions, _schema_words(), "invalid configuration")


def _raise(error: Any, schema: dict[str, Any], base: tuple[Any, ...], shown: str | None,
           positions: dict[Any, Any], words: frozenset[str], what: str) -> None:
    """A jsonschema error as a ConfigError at the offending key's line, quoting nothing."""
    keypath = base + tuple(error.absolute_path)
    where = keypath  # the line of the offending key, found without naming it
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = [key for key in error.instance if key not in error.schema.get("properties", {})]
        where = keypath + tuple(extra[:1])
    elif "propertyNames" in error.schema_path:
        where = keypath + (error.instance,)
    raise ConfigError(f"{what}: {configerrors.describe(error, schema)}", path=shown or "<config>",
                      line=_line(positions, where), keypath=configerrors.shown_keypath(keypath, words) or None)


def _line(positions: dict[Any, Any], keypath: tuple[Any, ...]) -> int | None:
    """The line of `keypath`, else of its nearest parent that has one."""
    for cut in range(len(keypath), -1, -1):
        if keypath[:cut] in positions:
            return int(positions[keypath[:cut]][0].line)
    return None


def _check_layouts(layouts: Any, shown: str | None, positions: dict[Any, Any]) -> None:
    for index, layout in enumerate(layouts):
        try:
            globs.LayoutPattern(layout["files"])
        except ValueError as exc:
            raise ConfigError(f"invalid configuration: {exc}", path=shown or "<config>",
                              line=_line(positions, ("layouts", index, "files")),
                              keypath=f"layouts[{index}].files") from None


def _check_rule_params(rules: dict[str, Any], shown: str | None, positions: dict[Any, Any]) -> None:
    """Rule parameters against their check's schema, with messages that quote nothing (rules.configure
    checks them again, but its messages would)."""
    overrides = {rule_id: value for rule_id, value in rules.items() if isinstance(value, dict)}
    if not overrides:
        return
    import jsonschema

    from gitops_lint.checks import get_kind
    from gitops_lint.rules import load_rules

    for rule in load_rules():
        if rule.id not in overrides:
            continue
        kind = get_kind(rule.kind)
        params = {**rule.params, **{k: v for k, v in overrides[rule.id].items()
                                    if k not in ("severity", "severity_unprotected", "severity_by_case")}}
        if kind is None:
            continue
        error = next(iter(jsonschema.Draft202012Validator(kind.params_schema).iter_errors(params)), None)
        if error is not None:
            words = _schema_words() | configerrors.vocabulary(kind.params_schema)
            _raise(error, kind.params_schema, ("rules", rule.id), shown, positions, words, "invalid parameters")


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
