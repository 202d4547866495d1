"""`.gitops-lint.yaml`: find, load, validate against the shipped JSON Schema."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import yamlio
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


def find_config(root: Path) -> Path | None:
    for name in CONFIG_NAMES:
        if (root / name).is_file():
            return root / name
    return None


def load_config(root: Path, explicit: Path | None = None) -> Config:
    path = explicit if explicit is not None else find_config(root)
    if path is None:
        return from_data({}, None)
    if explicit is not None and not path.is_file():
        raise ConfigError("config file not found", path=str(path))
    shown = _shown(path, root)
    try:
        loaded = yamlio.load_text(yamlio.decode(path.read_bytes(), shown), shown)
    except YamlProblem as problem:
        raise ConfigError(problem.message, path=shown, line=problem.line) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=shown) from None
    if loaded.problems:
        first = loaded.problems[0]
        raise ConfigError(first.message, path=shown, line=first.line)
    doc = loaded.docs[0] if loaded.docs else yamlio.Document(None, {})
    return from_data(doc.data, shown, positions=doc.positions)


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
    except ValueError as exc:
        raise ConfigError(str(exc), path=shown, keypath="environments") from None
    roles = set(scheme.order)
    for key in ("protected",):
        for role in envs.get(key) or ():
            if role.lower() not in roles:
                raise ConfigError(f"{role!r} is not in environments.order {list(scheme.order)}",
                                  path=shown, keypath=f"environments.{key}")
    if scheme.production not in roles:
        raise ConfigError(f"{scheme.production!r} is not in environments.order {list(scheme.order)}",
                          path=shown, keypath="environments.production")
    return Config(path=shown, rules=dict(data.get("rules", {})), scheme=scheme,
                  exclude=DEFAULT_EXCLUDES + tuple(data.get("exclude", ())),
                  exemptions=tuple(data.get("exemptions", ())), layouts=tuple(data.get("layouts", ())))


def _validate(data: Any, shown: str | None, positions: dict[Any, Any]) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(config_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors) or errors[0]
    keypath = tuple(error.absolute_path)
    line = None
    for cut in range(len(keypath), -1, -1):
        if keypath[:cut] in positions:
            line = positions[keypath[:cut]][0].line
            break
    raise ConfigError(f"invalid configuration: {error.message}", path=shown or "<config>", line=line,
                      keypath=yamlio.format_keypath(keypath) or None)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """`**` crosses directories, `*` and `?` stay inside one; a pattern names a file or a directory."""
    out = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out += "(?:.*/)?"
            index += 3
        elif pattern.startswith("**", index):
            out += ".*"
            index += 2
        else:
            char = pattern[index]
            out += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
            index += 1
    return re.compile(f"^{out}(?:/.*)?$")


def layout_regex(pattern: str) -> re.Pattern[str]:
    """`image-tags/{env}/{app}` -> a regex with named groups env and app; globs as in exclude."""
    text = _glob_regex(pattern.strip("/").replace("{env}", "\x00").replace("{app}", "\x01")).pattern
    text = text.replace("\x00", "(?P<env>[^/]+)").replace("\x01", "(?P<app>[^/]+)")
    return re.compile(text.replace("(?:/.*)?$", "$"))


def path_matches(relpath: str, pattern: str) -> bool:
    return bool(_glob_regex(pattern.strip("/")).match(relpath))
