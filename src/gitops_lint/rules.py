"""Rule files: load `rules/<category>/<name>.yaml`, validate, and resolve severities from config."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from gitops_lint import yamlio
from gitops_lint.errors import ConfigError, RuleFileError, YamlProblem
from gitops_lint.model import Severity


class Rule(NamedTuple):
    id: str
    title: str
    severity: Severity
    severity_unprotected: Severity | None
    severity_by_case: dict[str, Severity]
    summary: str
    description: str
    rationale: str
    fix: str
    known_problems: str
    messages: dict[str, str]
    fixes: dict[str, str]
    kind: str
    params: dict[str, Any]
    examples: dict[str, Any]
    path: str

    def message(self, case: str, fields: dict[str, Any]) -> str:
        return _fill(self.messages.get(case, self.messages["default"]), fields)

    def fix_for(self, case: str, fields: dict[str, Any]) -> str:
        template = self.fixes.get(case, self.fixes.get("default", self.fix))
        return _fill(template, fields).strip()


class _Fields(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, fields: dict[str, Any]) -> str:
    return " ".join(template.format_map(_Fields(fields)).split())


def rules_dir() -> Path:
    """Rules ship inside the wheel as gitops_lint/rules; in a source checkout they are at the top."""
    packaged = Path(str(resources.files("gitops_lint"))) / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(resources.files("gitops_lint").joinpath("schemas/rule.schema.json").read_text("utf-8"))  # type: ignore[no-any-return]


@lru_cache(maxsize=4)
def load_rules(directory: Path | None = None) -> tuple[Rule, ...]:
    """Every rule file, validated. The validated data is cached on disk under the digest of the
    rule files and schemas, so a run whose rules did not change skips parsing and validation."""
    from gitops_lint.cache import DiskCache, default_dir, digest
    from gitops_lint.checks import get_kind, kind_names

    base = directory or rules_dir()
    paths = sorted(base.glob("*/*.yaml"))
    if not paths:
        raise RuleFileError(f"no rule files found in {base}")
    sources = {path.relative_to(base).as_posix(): path.read_bytes() for path in paths}
    fingerprint = digest(json.dumps([_schema(), sorted(kind_names()), [[n, b.hex()] for n, b in sources.items()]],
                                    sort_keys=True).encode())
    disk = DiskCache(default_dir(), "rules")
    validated = disk.get(f"rules:{fingerprint}")
    if validated is None:
        validated = [_validate(shown, raw) for shown, raw in sources.items()]
        disk.put(f"rules:{fingerprint}", validated)
        disk.save()
    rules = []
    for shown, data in zip(sources, validated):
        kind = get_kind(data["check"]["kind"])
        assert kind is not None
        rules.append(Rule(
            id=data["id"], title=data["title"], severity=Severity(data["severity"]),
            severity_unprotected=Severity(data["severity_unprotected"]) if "severity_unprotected" in data else None,
            severity_by_case={k: Severity(v) for k, v in data.get("severity_by_case", {}).items()},
            summary=data["summary"], description=data["description"], rationale=data["rationale"],
            fix=data["fix"], known_problems=data.get("known_problems", ""), messages=data["messages"],
            fixes=data.get("fixes", {}), kind=kind.name, params=data["check"].get("params", {}),
            examples=data["examples"], path=f"rules/{shown}",
        ))
    return tuple(rules)


def _validate(shown: str, raw: bytes) -> dict[str, Any]:
    import jsonschema

    from gitops_lint.checks import get_kind

    try:
        data: dict[str, Any] = yamlio.load_text(yamlio.decode(raw, f"rules/{shown}"), f"rules/{shown}").data
    except YamlProblem as problem:
        raise RuleFileError(problem.message, path=f"rules/{shown}", line=problem.line) from None
    error = next(iter(jsonschema.Draft202012Validator(_schema()).iter_errors(data)), None)
    if error is not None:
        raise RuleFileError(f"invalid rule file: {error.message}", path=f"rules/{shown}",
                            keypath=yamlio.format_keypath(tuple(error.absolute_path)) or None)
    expected = shown[: -len(".yaml")]
    if data["id"] != expected:
        raise RuleFileError(f"id {data['id']!r} does not match its path ({expected})", path=f"rules/{shown}")
    kind = get_kind(data["check"]["kind"])
    if kind is None:
        raise RuleFileError(f"unknown check kind {data['check']['kind']!r}", path=f"rules/{shown}")
    _check_params(kind.params_schema, data["check"].get("params", {}), f"rules/{shown}", RuleFileError)
    return data


def _check_params(schema: dict[str, Any], params: dict[str, Any], shown: str,
                  error_class: type[ConfigError] | type[RuleFileError], keypath: str = "") -> None:
    import jsonschema

    error = next(iter(jsonschema.Draft202012Validator(schema).iter_errors(params)), None)
    if error is not None:
        where = yamlio.format_keypath(tuple(error.absolute_path))
        raise error_class(f"invalid parameters: {error.message}", path=shown,
                          keypath=".".join(p for p in (keypath, where) if p) or None)


class Configured(NamedTuple):
    """A rule with the config applied: its severities and parameters for this run."""

    rule: Rule
    severity: Severity
    severity_unprotected: Severity | None
    severity_by_case: dict[str, Severity]
    params: dict[str, Any]


_SEVERITY_KEYS = ("severity", "severity_unprotected", "severity_by_case")


def configure(rules: tuple[Rule, ...], overrides: dict[str, Any], config_path: str | None) -> list[Configured]:
    from gitops_lint.checks import get_kind

    known = {rule.id for rule in rules}
    for rule_id in overrides:
        if rule_id not in known:
            raise ConfigError(f"unknown rule {rule_id!r} (see `gitops-lint rules`)", path=config_path or "<config>",
                              keypath=f"rules.{rule_id}")
    out = []
    for rule in rules:
        override = overrides.get(rule.id)
        severity, unprotected, by_case = rule.severity, rule.severity_unprotected, dict(rule.severity_by_case)
        params = dict(rule.params)
        if isinstance(override, str):
            severity = Severity(override)
            unprotected = None if severity is Severity.OFF else unprotected
            by_case = {case: severity for case in by_case} if severity is Severity.OFF else by_case
        elif isinstance(override, dict):
            severity = Severity(override.get("severity", severity.value))
            if "severity_unprotected" in override:
                unprotected = Severity(override["severity_unprotected"])
            by_case.update({k: Severity(v) for k, v in override.get("severity_by_case", {}).items()})
            params.update({k: v for k, v in override.items() if k not in _SEVERITY_KEYS})
            kind = get_kind(rule.kind)
            assert kind is not None
            _check_params(kind.params_schema, params, config_path or "<config>", ConfigError, f"rules.{rule.id}")
        out.append(Configured(rule, severity, unprotected, by_case, params))
    return out
