"""Rule documentation, generated from the rule files (ruff's order)."""
from __future__ import annotations

import json
from typing import Any

from gitops_lint.checks import get_kind
from gitops_lint.rules import Rule


def _example(example: dict[str, Any]) -> list[str]:
    lines = [example.get("description", ""), ""]
    for path, text in example["files"].items():
        lines.append(f"    # {path}")
        lines.extend(f"    {line}" for line in text.rstrip("\n").splitlines())
    return lines


def rule_doc(rule: Rule) -> str:
    kind = get_kind(rule.kind)
    severity = rule.severity.value
    if rule.severity_unprotected:
        severity += f" in protected envs, {rule.severity_unprotected.value} elsewhere"
    for case, value in rule.severity_by_case.items():
        severity += f"; {case}: {value.value}"
    lines = [f"# {rule.id}: {rule.title}", "", f"Default severity: {severity}", "",
             "## What it does", "", rule.description.strip(), "",
             "## Why is this bad?", "", rule.rationale.strip(), "",
             "## Example", "", *_example(rule.examples["bad"]), "",
             "## Use instead", "", *_example(rule.examples["good"]), "",
             "## Fix", "", rule.fix.strip(), ""]
    properties = (kind.params_schema.get("properties") or {}) if kind else {}
    lines += ["## Options", ""]
    if properties:
        lines.append(f"Set under `rules: {{{rule.id}: {{...}}}}` in .gitops-lint.yaml. Defaults for this rule:")
        lines.append("")
        for name, schema in properties.items():
            if rule.id not in schema.get("x-rules", [rule.id]):
                continue  # an option of another rule of the same check kind
            default = rule.params.get(name)
            shown = json.dumps(default) if default is not None else "(unset)"
            lines.append(f"- `{name}`: {schema.get('description', '')} Default: `{shown}`")
    else:
        lines.append("No options besides the severities below.")
    cases = sorted(set(rule.messages) - {"default"})
    lines += ["", "Severities: `severity` (default above), `severity_unprotected` (envs that are not protected)"
              + (f", and `severity_by_case` per message case ({', '.join(f'`{c}`' for c in cases)}, `default`),"
                 if cases else ",")
              + f" e.g. `rules: {{{rule.id}: {{severity: warning}}}}`.", ""]
    if rule.known_problems:
        lines += ["## Known problems", "", rule.known_problems.strip(), ""]
    return "\n".join(lines)


def anchor(rule_id: str) -> str:
    """The id of a rule's section in docs/rules.md: `parity/drift` -> `parity-drift`."""
    return rule_id.replace("/", "-")


def catalogue() -> str:
    """docs/rules.md: every rule's doc, generated. Regenerate with `python -m gitops_lint.docs`."""
    from gitops_lint.rules import load_rules

    rules = load_rules()
    lines = ["# Rule reference", "",
             "Generated from `rules/` by `python -m gitops_lint.docs > docs/rules.md`; do not edit by hand.", "",
             "| id | default | summary |", "|---|---|---|"]
    lines += [f"| `{r.id}` | {r.severity.value} | {r.summary} |" for r in rules]
    lines.append("")
    for rule in rules:
        lines.append(f'<a id="{anchor(rule.id)}"></a>')  # a stable target for SARIF helpUri links
        lines.append("")
        lines.append(rule_doc(rule).replace("\n## ", "\n### ").replace(f"# {rule.id}:", f"## {rule.id}:", 1))
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(catalogue())
