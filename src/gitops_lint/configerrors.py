"""Config errors that never echo the file's content.

`.gitops-lint.yaml` may be anything a pull request puts there, and CI logs are read widely. A
message names the file, the line, the key path and what was expected, with types and the
schema's own words only: jsonschema's `'ghp_…' is not of type 'object'` becomes
`expected a mapping, got a string`. Keys outside the schema's vocabulary show as `*`.
"""
from __future__ import annotations

import re
from typing import Any

from gitops_lint.yamlio import format_keypath, type_name as kind

RULE_ID = re.compile(r"^[a-z]+/[a-z0-9-]+$")
_TYPES = {"object": "a mapping", "array": "a list", "string": "a string", "boolean": "true or false",
          "integer": "a whole number", "number": "a number", "null": "nothing (null)"}
_FORMS = {r"^\d{4}-\d{2}-\d{2}$": "a date written YYYY-MM-DD",
          r"^[A-Za-z0-9][A-Za-z0-9_-]*$": "a name of letters, digits, '-' and '_'",
          r"\{env\}": "a pattern containing {env}", RULE_ID.pattern: "a rule id (category/name, e.g. parity/drift)"}
# ruamel's messages quote what they found ('found undefined alias %r'); token names like '<scalar>' stay
_QUOTED = re.compile(r"'(?!<[a-z ]+>')[^'\n]*'|\"[^\"\n]*\"")


def describe(error: Any, schema: dict[str, Any]) -> str:
    """One jsonschema error as `expected …, got …`, from the schema and the instance's type only."""
    keyword, wanted, instance = error.validator, error.validator_value, error.instance
    if "propertyNames" in error.schema_path:  # the instance is a key; the key path stops above it
        return f"a key is not {_FORMS.get(str(wanted), 'allowed here')}" if keyword == "pattern" \
            else "a key is not allowed here"
    if keyword == "type":
        return f"expected {_type_words(wanted)}, got {kind(instance)}"
    if keyword == "additionalProperties":
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"unknown key (allowed here: {allowed})" if allowed else "unknown key"
    if keyword in ("enum", "oneOf", "anyOf", "$ref"):
        return f"expected {_expected(error.schema, schema)}, got {kind(instance)}"
    if keyword == "pattern":
        return f"expected {_FORMS.get(wanted, f'text matching {wanted}')}"
    if keyword == "required":
        missing = [name for name in wanted if not isinstance(instance, dict) or name not in instance]
        return f"missing the required key {', '.join(missing)}"
    limits = {"minLength": "at least {} characters", "maxLength": "at most {} characters",
              "minItems": "at least {} items", "maxItems": "at most {} items"}
    if keyword in limits:
        return f"expected {limits[keyword].format(wanted)}"
    if keyword == "uniqueItems":
        return "expected no repeated items"
    return f"does not satisfy '{keyword}'"


def _rule_ids() -> frozenset[str]:
    """The shipped rule ids: the only rule-shaped keys an error may show (others are the file's text)."""
    from gitops_lint.rules import load_rules

    return frozenset(rule.id for rule in load_rules())


def shown_keypath(keypath: tuple[Any, ...], words: frozenset[str]) -> str:
    """The key path with every key the schema does not name (`words`) and that is no rule id as `*`."""
    safe = tuple(key if isinstance(key, int) or key in words or key in _rule_ids() else "*" for key in keypath)
    return format_keypath(safe)


def yaml_message(message: str, rule: str) -> str:
    """A yaml/* problem of the config file, without the text it quotes from the file."""
    if rule == "yaml/duplicate-key":
        return "a key is repeated; each key may appear once"
    return _QUOTED.sub("(…)", message)


def _type_words(wanted: Any) -> str:
    names = wanted if isinstance(wanted, list) else [wanted]
    return " or ".join(_TYPES.get(str(name), str(name)) for name in names)


def _expected(sub: dict[str, Any], schema: dict[str, Any]) -> str:
    if "$ref" in sub:
        sub = schema.get("$defs", {}).get(sub["$ref"].rsplit("/", 1)[-1], {})
    if "enum" in sub:
        return "one of " + ", ".join(str(value) for value in sub["enum"])
    if "type" in sub:
        return _type_words(sub["type"])
    alternatives = sub.get("oneOf") or sub.get("anyOf") or []
    return ", or ".join(_expected(alternative, schema) for alternative in alternatives) or "another value"


def vocabulary(schema: dict[str, Any]) -> frozenset[str]:
    """Every key name the schema defines."""
    words: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            words.update(node.get("properties", {}))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(words)
