"""JUnit XML (one testsuite per rule, one failing testcase per finding) for Jenkins and GitLab.

ElementTree writes every name, attribute and text, so markup in repo strings stays data. Attributes
(testcase name = path, failure message) keep repo strings exactly, except the characters XML 1.0
cannot hold at all (ESC and most other C0 controls), which `escape.xml_chars` shows as `\\x1b` so
the report always parses. Text bodies are for reading: repo strings in them are `visible`, so no
line of the file starts with a repo string. `##[` is written `##&#91;` (same data, no command)."""
from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from gitops_lint.formats.escape import visible, xml_chars
from gitops_lint.model import Severity


def _where(finding: Any) -> str:
    where = finding.path or "(repository)"
    where = f"{where}:{finding.line}" if finding.line else where
    return xml_chars(f"{where} ({finding.env})" if finding.env else where)


def _unique(name: str, seen: dict[str, int]) -> str:
    """Test names are keys in CI's test history: two findings at one place (two apps' envs on one
    shared values line) must not merge into one test."""
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name} #{seen[name]}"


def render(result: Any, *, fail_on: Severity = Severity.ERROR, **_: Any) -> str:
    suites = ET.Element("testsuites", name="gitops-lint")
    total = failures = 0
    for rule in result.rules:
        findings = [f for f in result.findings if f.rule == rule.id]
        names: dict[str, int] = {}
        suite = ET.SubElement(suites, "testsuite", name=rule.id)
        failed = 0
        if not findings:
            case = ET.SubElement(suite, "testcase", classname=rule.id, name=f"{rule.id}: {rule.title}")
            if rule.id in result.not_run:
                ET.SubElement(case, "skipped", message=f"did not run: {result.not_run[rule.id]}")
        for finding in findings:
            case = ET.SubElement(suite, "testcase", classname=rule.id, name=_unique(_where(finding), names))
            details = xml_chars("\n".join(filter(None, [
                visible(finding.message), f"fix: {visible(finding.fix)}" if finding.fix else "",
                f"app: {visible(finding.app)} env: {visible(str(finding.env))}" if finding.app else ""])))
            if finding.suppressed is not None:
                skipped = ET.SubElement(case, "skipped", message=xml_chars(f"suppressed: {finding.suppressed}"))
                skipped.text = details
            elif finding.severity.rank >= fail_on.rank:
                failure = ET.SubElement(case, "failure", message=xml_chars(finding.message), type=finding.severity.value)
                failure.text = details
                failed += 1
            else:
                ET.SubElement(case, "system-out").text = f"{finding.severity.value}: {details}"
        count = max(len(findings), 1)
        suite.set("tests", str(count))
        suite.set("failures", str(failed))
        suite.set("errors", "0")
        suite.set("skipped", str(sum(1 for f in findings if f.suppressed is not None)
                                 + (0 if findings or rule.id not in result.not_run else 1)))
        total += count
        failures += failed
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    # `##[` can only be inside an attribute or a text, where `&#91;` is the same `[`
    document = ET.tostring(suites, encoding="unicode").replace("##[", "##&#91;")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + document + "\n"
