"""Every problem of a `.gitops-lint.yaml`, each with its line and in plain words, found in one pass.

A user fixing a config wants all of it at once: schema errors (every one, not the "best match"),
rule ids that do not exist (with the nearest real one), rule options of the wrong name or type (with
the nearest real option), exemption dates that are not real dates, and layout patterns that cannot
work. Messages quote nothing from the file (configerrors.py): a suggestion is always one of our
own words.
"""
from __future__ import annotations

import datetime
import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from gitops_lint import configerrors, globs
from gitops_lint.errors import ConfigError

MAX_PROBLEMS = 20


@lru_cache(maxsize=1)
def config_schema() -> dict[str, Any]:
    text = resources.files("gitops_lint").joinpath("schemas/config.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def schema_words() -> frozenset[str]:
    return configerrors.vocabulary(config_schema())


def line(positions: dict[Any, Any], keypath: tuple[Any, ...]) -> int | None:
    """The line of `keypath`, else of its nearest parent that has one."""
    for cut in range(len(keypath), -1, -1):
        if keypath[:cut] in positions:
            return int(positions[keypath[:cut]][0].line)
    return None


def problems(data: Any, shown: str | None, positions: dict[Any, Any]) -> list[ConfigError]:
    import jsonschema

    where = shown or "<config>"
    found = [_from_schema(e, config_schema(), (), where, positions, schema_words(), "invalid configuration")
             for e in jsonschema.Draft202012Validator(config_schema()).iter_errors(data)]
    if isinstance(data, dict):
        rules = data.get("rules")
        if isinstance(rules, dict):
            found += _rules(rules, where, positions)
        for index, item in enumerate(data.get("exemptions") or ()) if isinstance(data.get("exemptions"), list) else ():
            found += _date(item, index, where, positions)
        for index, layout in enumerate(data.get("layouts") or ()) if isinstance(data.get("layouts"), list) else ():
            if isinstance(layout, dict) and isinstance(layout.get("files"), str):
                try:
                    globs.LayoutPattern(layout["files"])
                except ValueError as exc:
                    found.append(ConfigError(f"invalid configuration: {exc}", path=where,
                                             line=line(positions, ("layouts", index, "files")),
                                             keypath=f"layouts[{index}].files"))
    unique = {(e.line or 0, str(e)): e for e in found}
    return [unique[key] for key in sorted(unique)][:MAX_PROBLEMS]


def _from_schema(error: Any, schema: dict[str, Any], base: tuple[Any, ...], where: str,
                 positions: dict[Any, Any], words: frozenset[str], what: str) -> ConfigError:
    """A jsonschema error at the offending key's line, quoting nothing (a suggestion is ours)."""
    keypath = base + tuple(error.absolute_path)
    at = keypath
    message = configerrors.describe(error, schema)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = [key for key in error.instance if key not in allowed]
        at = keypath + tuple(extra[:1])
        close = difflib.get_close_matches(str(extra[0]), allowed, n=1) if extra else []
        if close:
            message = f"unknown key (did you mean {close[0]}? allowed here: {', '.join(allowed)})"
    elif "propertyNames" in error.schema_path:
        at = keypath + (error.instance,)
    return ConfigError(f"{what}: {message}", path=where, line=line(positions, at),
                       keypath=configerrors.shown_keypath(keypath, words) or None)


def _rules(rules: dict[str, Any], where: str, positions: dict[Any, Any]) -> list[ConfigError]:
    import jsonschema

    from gitops_lint.checks import get_kind
    from gitops_lint.rules import load_rules

    known = {rule.id: rule for rule in load_rules()}
    out = []
    for rule_id in rules:
        if rule_id in known or not configerrors.RULE_ID.match(str(rule_id)):
            continue  # not shaped like a rule id: the schema says so already
        close = difflib.get_close_matches(str(rule_id), sorted(known), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        out.append(ConfigError(f"unknown rule{hint} (see `gitops-lint rules`)", path=where,
                               line=line(positions, ("rules", rule_id)),
                               keypath="rules.*"))  # its text is the file's: never echoed
    for rule_id, override in rules.items():
        rule = known.get(rule_id)
        kind = get_kind(rule.kind) if rule is not None and isinstance(override, dict) else None
        if kind is None or rule is None or not isinstance(override, dict):
            continue
        params = {**rule.params, **{k: v for k, v in override.items()
                                    if k not in ("severity", "severity_unprotected", "severity_by_case")}}
        words = schema_words() | configerrors.vocabulary(kind.params_schema)
        out += [_from_schema(e, kind.params_schema, ("rules", rule_id), where, positions, words, "invalid parameters")
                for e in jsonschema.Draft202012Validator(kind.params_schema).iter_errors(params)]
    return out


def _date(item: Any, index: int, where: str, positions: dict[Any, Any]) -> list[ConfigError]:
    """`expires: 2026-13-45` matches YYYY-MM-DD but is no date: it would never expire, or always."""
    expires = item.get("expires") if isinstance(item, dict) else None
    if not isinstance(expires, str) or len(expires) != 10:
        return []
    try:
        datetime.date.fromisoformat(expires)
    except ValueError:
        return [ConfigError("invalid configuration: expected a real calendar date (YYYY-MM-DD)", path=where,
                            line=line(positions, ("exemptions", index, "expires")),
                            keypath=f"exemptions[{index}].expires")]
    return []
