"""Hardening (issue 8, the input side): hostile or malformed repo content becomes a yaml/* finding
or a notice naming its file, never a crash, a hang or unbounded memory, and the rest of the repo
is still linted. Cases that used to kill or hang the process run the CLI in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import git, make_repo, write_files
from gitops_lint import yamlio
from gitops_lint.cli import main
from gitops_lint.errors import YamlProblem

CHART = {
    "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
    "app/values.yaml": "image:\n  repository: registry.example.com/team/app\n  tag: '1'\n",
    "app/values-dev.yaml": "image:\n  tag: '1'\n",
    "app/values-stage.yaml": "image:\n  tag: '1'\n",
    "app/values-prod.yaml": "image:\n  tag: '1'\n",
}
# runs the CLI and reports its own peak memory on stderr, even when it exits with a code
_MEASURED = ("import resource, sys\nfrom gitops_lint.cli import main\ntry:\n    main(sys.argv[1:])\nfinally:\n"
             "    sys.stderr.write(f'\\nmaxrss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n")


def _check(root: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """`check --no-history --format json` in process: (exit code, report, stderr)."""
    result = CliRunner().invoke(main, ["check", str(root), "--no-history", "--format", "json", *args])
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr, result.exception)
    return result.exit_code, json.loads(result.stdout), result.stderr


def _spawn(root: Path, *args: str, timeout: float = 60) -> tuple[int, dict[str, Any] | None, str, int, float]:
    """The CLI in a child process (a crash or hang cannot take the test run with it):
    (exit code, JSON report or None, stderr, peak RSS in MiB, seconds)."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", _MEASURED, "check", str(root), "--no-history", "--format", "json",
                           *args], capture_output=True, text=True, timeout=timeout)
    elapsed = time.monotonic() - started
    rss = next((int(line.split("=")[1]) // 1024 for line in proc.stderr.splitlines() if line.startswith("maxrss_kb=")),
               -1)
    report = json.loads(proc.stdout) if proc.returncode in (0, 1) else None
    return proc.returncode, report, proc.stderr, rss, elapsed


def _findings(report: dict[str, Any], rule: str | None = None) -> list[str]:
    return [f"{f['path']}:{f['line']}:{f['column']} {f['rule']} {f['message']}" for f in report["findings"]
            if rule is None or f["rule"] == rule]


# 1. nesting deeper than the limit is refused before ruamel's C composer can overflow the stack

def test_deep_flow_nesting_is_a_finding_not_a_segfault(tmp_path: Path) -> None:
    write_files(tmp_path, {**CHART, "app/values-dev.yaml": "x: " + "[" * 30000 + "\n"})
    code, report, err, _, _ = _spawn(tmp_path)
    assert code == 1, err  # was -11 (SIGSEGV, exit 139 in a shell)
    assert report is not None
    assert _findings(report) == ["app/values-dev.yaml:1:68 yaml/unsafe refused: nesting deeper than 64 levels"]
    assert report["summary"]["apps"] == 1  # the rest of the repo is still linted


@pytest.mark.parametrize("text, where", [
    ("- " * 20000 + "a\n", (1, 131)),  # block sequences on one line
    ("x: " + "{a: " * 20000 + "\n", (1, 260)),
    ("a:\r" + "".join(" " * i + "k:\r" for i in range(1, 100)), (66, 66)),  # CR line breaks count as breaks
])
def test_every_kind_of_deep_nesting_is_refused_with_its_position(text: str, where: tuple[int, int]) -> None:
    with pytest.raises(YamlProblem) as caught:
        yamlio.load_text(text, "v.yaml")
    assert (caught.value.rule, caught.value.message) == ("yaml/unsafe", "refused: nesting deeper than 64 levels")
    assert (caught.value.line, caught.value.column) == where


def test_nesting_up_to_the_limit_loads_and_one_more_level_is_refused() -> None:
    assert yamlio.load_text("x: " + "[" * 64 + "]" * 64 + "\n", "v.yaml").data  # the top mapping and 64 below
    with pytest.raises(YamlProblem):
        yamlio.load_text("x: " + "[" * 65 + "]" * 65 + "\n", "v.yaml")


def test_the_depth_check_costs_well_under_a_millisecond_on_a_values_file() -> None:
    from gitops_lint import yamldepth

    text = _VALUES
    assert 2300 <= len(text) <= 2700
    runs = 200
    started = time.perf_counter()
    for _ in range(runs):
        assert yamldepth.deeper_than(text, 64) is None
    assert (time.perf_counter() - started) / runs < 0.0005


_VALUES = """\
# a typical chart's values, about 2.5 KB
replicaCount: 2
image:
  repository: registry.example.com/team/app
  pullPolicy: IfNotPresent
  tag: "1.4.2"
imagePullSecrets: []
nameOverride: ""
serviceAccount: {create: true, annotations: {}, name: ""}
podAnnotations:
  prometheus.io/scrape: "true"
  prometheus.io/port: "9090"
securityContext:
  capabilities:
    drop: [ALL]
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  runAsUser: 1000
service: {type: ClusterIP, port: 80}
ingress:
  enabled: true
  className: nginx
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
  hosts:
    - host: app.example.com
      paths:
        - path: /
          pathType: ImplementationSpecific
  tls:
    - secretName: app-tls
      hosts: [app.example.com]
resources:
  limits: {cpu: 500m, memory: 512Mi}
  requests: {cpu: 250m, memory: 256Mi}
autoscaling:
  enabled: false
  minReplicas: 1
  maxReplicas: 10
  targetCPUUtilizationPercentage: 80
nodeSelector: {}
tolerations:
  - key: dedicated
    operator: Equal
    value: app
    effect: NoSchedule
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          labelSelector:
            matchExpressions:
              - key: app.kubernetes.io/name
                operator: In
                values: ["app"]
          topologyKey: kubernetes.io/hostname
env:
  - {name: LOG_LEVEL, value: info}
  - {name: FEATURES, value: "a,b,c"}  # [not, a, list]
  - name: JAVA_OPTS
    value: >-
      -Xms256m -Xmx512m
      -XX:+UseG1GC
config: |
  server {
    listen 80;
    location / { proxy_pass http://backend; }
  }
probes:
  liveness: {path: /healthz, port: 8080, initialDelaySeconds: 10, periodSeconds: 5}
  readiness: {path: /ready, port: 8080, initialDelaySeconds: 5, periodSeconds: 5}
extraVolumes:
  - name: cache
    emptyDir: {sizeLimit: 1Gi}
extraVolumeMounts:
  - {name: cache, mountPath: /var/cache/app}
podDisruptionBudget: {enabled: true, minAvailable: 1}
podLabels:
  team: payments
  tier: backend
  cost-center: "4711"
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
metrics:
  serviceMonitor:
    enabled: true
    interval: 30s
    labels: {release: prometheus}
    relabelings:
      - sourceLabels: [__meta_kubernetes_pod_node_name]
        targetLabel: node
        action: replace
    metricRelabelings:
      - {sourceLabels: [__name__], regex: "go_.*", action: drop}
"""


# 4, 5. reads: regular files inside the repo only, checked before opening; never past the size limit

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_yaml_outside_git_is_refused_not_waited_on(tmp_path: Path) -> None:
    write_files(tmp_path, CHART)
    os.mkfifo(tmp_path / "app/values-qa.yaml")
    code, report, err, _, _ = _spawn(tmp_path, timeout=30)  # used to block forever in open()
    assert code == 1, err
    assert report is not None
    assert "app/values-qa.yaml:None:None yaml/unsafe refused: not a regular file (a FIFO); only regular files are " \
           "read" in _findings(report)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_tracked_symlink_to_a_fifo_in_the_repo_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", CHART)
    os.symlink("pipe", root / "app/values-qa.yaml")
    git(root, "add", "app/values-qa.yaml")
    git(root, "commit", "-q", "-m", "a link", date="2026-01-02T00:00:00+00:00")
    os.mkfifo(root / "app/pipe")
    code, report, err, _, _ = _spawn(root, timeout=30)
    assert code == 1, err
    assert report is not None
    assert "app/values-qa.yaml:None:None yaml/unsafe refused: not a regular file (a FIFO); only regular files are " \
           "read" in _findings(report)


def test_a_1_gb_sparse_file_costs_neither_time_nor_memory(tmp_path: Path) -> None:
    write_files(tmp_path, CHART)
    with open(tmp_path / "junk.yaml", "wb") as handle:
        handle.truncate(1 << 30)  # sparse: no disk space, 1 GB to anyone who reads it whole
    code, report, err, rss, seconds = _spawn(tmp_path)
    assert code in (0, 1), err
    assert rss < 200 and seconds < 30, (rss, seconds)  # was 1 GB and 7 s
    assert report is not None
    for finding in report["findings"]:
        assert finding["rule"] == "yaml/unsafe" and finding["path"] == "junk.yaml"
        assert finding["message"].startswith("refused: the file is 1073741824 bytes, over the 4194304-byte limit")


def test_reads_stop_at_the_limit_and_say_how_to_raise_it(tmp_path: Path) -> None:
    (tmp_path / "v.yaml").write_text("a: 1\n" * 100)
    with pytest.raises(YamlProblem) as caught:
        yamlio.read_bytes(tmp_path, "v.yaml", limits=yamlio.Limits(max_bytes=100))
    assert caught.value.message == "refused: the file is 500 bytes, over the 100-byte limit"
    (tmp_path / "big.yaml").write_bytes(b"a: 1\n" * (yamlio.DEFAULT_LIMITS.max_bytes // 5 + 1))
    with pytest.raises(YamlProblem) as caught:
        yamlio.read_bytes(tmp_path, "big.yaml")
    assert caught.value.message.endswith("-byte limit (an operator can raise it with GITOPS_LINT_MAX_FILE_BYTES)")


@pytest.mark.parametrize("relpath", ["../outside.yaml", "/etc/hostname", "sub/../../outside.yaml"])
def test_paths_that_leave_the_repository_are_refused(tmp_path: Path, relpath: str) -> None:
    (tmp_path / "outside.yaml").write_text("a: 1\n")
    (tmp_path / "repo" / "sub").mkdir(parents=True)
    with pytest.raises(YamlProblem) as caught:
        yamlio.read_bytes(tmp_path / "repo", relpath)
    assert caught.value.rule == "yaml/unsafe"
    assert caught.value.message.startswith("refused: the path leads outside the repository")


def test_a_directory_named_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").mkdir()
    with pytest.raises(YamlProblem) as caught:
        yamlio.read_bytes(tmp_path, "values.yaml")
    assert caught.value.message == "refused: not a regular file (a directory); only regular files are read"


# 3. globs: linear matching, the same semantics, a length cap

def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("patterns", [["**" + "*" * 60 + "z"], ["**/" * 25 + "z"], ["?*" * 500 + "z"]])
def test_exclude_and_exemption_patterns_cannot_hang_the_run(tmp_path: Path, patterns: list[str]) -> None:
    deep = "/".join(["d"] * 40) + "/" + "b" * 100 + ".yaml"
    config = {"exclude": patterns, "exemptions": [{"rule": "parity/drift", "paths": patterns, "reason": "none"}]}
    write_files(tmp_path, {**CHART, deep: "a: 1\n", ".gitops-lint.yaml": json.dumps(config)})
    code, report, err, _, seconds = _spawn(tmp_path, timeout=60)  # took 17+ minutes
    assert code in (0, 1) and seconds < 30, (code, err, seconds)


@pytest.mark.parametrize("pattern, path, expected", [
    ("legacy/**", "legacy/app/values.yaml", True),
    ("legacy", "legacy/app/values.yaml", True),  # a directory: everything below it
    ("legacy", "legacy-app/values.yaml", False),
    ("**/testdata/**", "a/b/testdata/x.yaml", True),
    ("**/testdata/**", "testdata/x.yaml", True),
    ("*.yaml", "a/b.yaml", False),  # * stays inside one directory
    ("**.yaml", "a/b.yaml", True),  # ** crosses them
    ("a/?/c", "a/b/c", True),
    ("a/?/c", "a//c", False),
    ("**/**/**/*z", "x/y/z", True),
])
def test_path_patterns_keep_their_meaning(pattern: str, path: str, expected: bool) -> None:
    from gitops_lint.config import path_matches

    assert path_matches(path, pattern) is expected


def test_layout_patterns_capture_env_and_app() -> None:
    from gitops_lint.config import layout_regex

    match = layout_regex("charts/app-config/image-tags/{env}/{app}").match("charts/app-config/image-tags/prod/web")
    assert match is not None and match.groupdict() == {"env": "prod", "app": "web"}
    greedy = layout_regex("tags/{env}-{app}.yaml").match("tags/prod-eu-web.yaml")  # as a regex would split it
    assert greedy is not None and (greedy.group("env"), greedy.group("app")) == ("prod-eu", "web")
    assert layout_regex("tags/{env}/{app}").match("tags/prod/web/extra") is None


def test_a_layout_that_repeats_env_is_a_config_error(tmp_path: Path) -> None:
    write_files(tmp_path, {**CHART, ".gitops-lint.yaml": "layouts:\n  - files: '{env}{env}'\n"})
    code, out, err = _invoke("check", str(tmp_path))
    assert (code, out) == (2, "")  # was exit 3 (re.error: redefinition of group name)
    assert err == ("gitops-lint: error: .gitops-lint.yaml:2 (layouts[0].files): invalid configuration: {env} "
                   "appears more than once; {env} and {app} may each appear once\n")


def test_a_pattern_over_1024_characters_is_a_config_error(tmp_path: Path) -> None:
    write_files(tmp_path, {**CHART, ".gitops-lint.yaml": "exclude:\n  - " + "a" * 1025 + "\n"})
    code, out, err = _invoke("check", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == ("gitops-lint: error: .gitops-lint.yaml:2 (exclude[0]): invalid configuration: expected at most "
                   "1024 characters\n")


# 7. the config file: read like any repo file; no message quotes its content

def _params_of(rule_id: str) -> list[str]:
    from gitops_lint.checks import get_kind
    from gitops_lint.rules import load_rules

    kind = get_kind(next(rule.kind for rule in load_rules() if rule.id == rule_id))
    assert kind is not None
    return sorted(kind.params_schema["properties"])


CANARY = "ghp_CANARY0123456789abcdefSECRET"


def test_a_config_symlinked_out_of_the_repo_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "credentials").write_text(f"https://user:{CANARY}@github.com\n")
    root = tmp_path / "repo"
    write_files(root, CHART)
    os.symlink(tmp_path / "credentials", root / ".gitops-lint.yaml")
    code, out, err = _invoke("check", str(root))
    assert (code, out) == (2, "")  # was: the file was read and echoed in the schema error
    assert err == (f"gitops-lint: error: .gitops-lint.yaml: refused: the symlink leads outside the repository "
                   f"(to {tmp_path / 'credentials'})\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_config_is_refused_not_waited_on(tmp_path: Path) -> None:
    write_files(tmp_path, CHART)
    os.mkfifo(tmp_path / ".gitops-lint.yaml")
    proc = subprocess.run([sys.executable, "-m", "gitops_lint", "check", str(tmp_path)], capture_output=True,
                          text=True, timeout=30)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == ("gitops-lint: error: .gitops-lint.yaml: refused: not a regular file (a FIFO); only "
                           "regular files are read\n")


@pytest.mark.parametrize("named", [False, True])
def test_a_huge_config_is_refused_before_it_is_read(tmp_path: Path, named: bool) -> None:
    write_files(tmp_path, CHART)
    with open(tmp_path / ".gitops-lint.yaml", "wb") as handle:
        handle.truncate(1 << 30)
    code, _, err, rss, _ = _spawn(tmp_path, *(["--config", str(tmp_path / ".gitops-lint.yaml")] if named else []))
    assert code == 2 and rss < 200, (code, rss)  # was 2 GB
    assert "refused: the file is 1073741824 bytes, over the 4194304-byte limit" in err


def test_a_config_named_with_config_is_read_like_a_repo_file_too(tmp_path: Path) -> None:
    (tmp_path / "credentials").write_text(f"environments: {CANARY}\n")
    root = tmp_path / "repo"
    write_files(root, CHART)
    os.symlink(tmp_path / "credentials", root / ".gitops-lint.yaml")
    code, out, err = _invoke("check", str(root), "--config", str(root / ".gitops-lint.yaml"))
    assert (code, out) == (2, "")  # was: read through the link and echoed in the schema error
    assert err == (f"gitops-lint: error: .gitops-lint.yaml: refused: the symlink leads outside the repository "
                   f"(to {tmp_path / 'credentials'})\n")


@pytest.mark.parametrize("config, message", [
    (f"environments: {CANARY}\n", ":1 (environments): invalid configuration: expected a mapping, got a string"),
    (f"{CANARY}\n", ":1: invalid configuration: expected a mapping, got a string"),
    (f"{CANARY}: 1\n", ":1: invalid configuration: unknown key (allowed here: clusters, environments, exclude, "
                       "exemptions, layouts, rules)"),
    (f"rules:\n  parity/drift: {CANARY}\n", ":2 (rules.parity/drift): invalid configuration: expected one of off, "
                                            "error, warning, info, or a mapping, got a string"),
    (f"rules:\n  {CANARY}: off\n", ":2 (rules): invalid configuration: a key is not a rule id (category/name, "
                                   "e.g. parity/drift)"),
    (f"rules:\n  parity/drift:\n    allow: {CANARY}\n", ":3 (rules.parity/drift.allow): invalid parameters: "
                                                      "expected a list, got a string"),
    (f"rules:\n  promotion/mutable-tag:\n    extra_tags: {{a: {CANARY}}}\n",
     ":3 (rules.promotion/mutable-tag.extra_tags): invalid parameters: expected a list, got a mapping"),
    (f"rules:\n  parity/drift:\n    {CANARY}: 1\n", ":3 (rules.parity/drift): invalid parameters: unknown key "
                                                   f"(allowed here: {', '.join(_params_of('parity/drift'))})"),
    ("environments:\n  production: live\n", ":2 (environments.production): names a role that is not in "
                                             "environments.order"),
    (f"environments:\n  aliases:\n    {CANARY}: 5\n", ":3 (environments.aliases.*): invalid configuration: "
                                                     "expected a list, got a number"),
    (f"environments:\n  protected: [{CANARY}]\n", ":2 (environments.protected[0]): names a role that is not in "
                                                  "environments.order"),
    (f"exclude: [{CANARY}, 5]\n", ":1 (exclude[1]): invalid configuration: expected a string, got a number"),
    (f"exemptions:\n  - rule: {CANARY}\n    expires: {CANARY}\n    reason: {CANARY}\n",
     ":3 (exemptions[0].expires): invalid configuration: expected a date written YYYY-MM-DD"),
    (f"exemptions:\n  - rule: {CANARY}\n", ":2 (exemptions[0]): invalid configuration: missing the required key reason"),
])
def test_config_errors_name_the_key_and_type_never_the_content(tmp_path: Path, config: str, message: str) -> None:
    write_files(tmp_path, {**CHART, ".gitops-lint.yaml": config})
    code, out, err = _invoke("check", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"gitops-lint: error: .gitops-lint.yaml{message}\n"
    assert CANARY not in err


@pytest.mark.parametrize("config, message", [
    (f"exclude: *{CANARY}\n", ":1: cannot parse YAML: found undefined alias"),
    (f"{CANARY}: 1\n{CANARY}: 2\n", ":2: a key is repeated; each key may appear once"),
    # a repeated anchor sends the file to ruamel's pure-Python parser, whose messages quote the input
    (f"a: &x 1\nb: &x 2\nc: !{CANARY}!x y\n", ":3: cannot parse YAML: found undefined tag handle (…) (while "
                                               "parsing a node)"),
    (f"a: &x 1\nb: &x 2\nc: *{CANARY}\n", ":3: cannot parse YAML: found undefined alias (…)"),
    (f"environments: {CANARY}\n", ":1 (environments): invalid configuration: expected a mapping, got a string"),
])
def test_a_config_named_with_config_quotes_nothing_either(tmp_path: Path, config: str, message: str) -> None:
    write_files(tmp_path, {**CHART, "policy.yaml": config})
    code, out, err = _invoke("check", str(tmp_path), "--config", str(tmp_path / "policy.yaml"))
    assert (code, out) == (2, "")
    assert err == f"gitops-lint: error: policy.yaml{message}\n"
    assert CANARY not in err


def test_the_base_policy_in_pr_mode_is_not_echoed_either(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {**CHART, ".gitops-lint.yaml": f"environments: {CANARY}\n"})
    git(root, "checkout", "-q", "-b", "feature")
    write_files(root, {".gitops-lint.yaml": None, "app/values-dev.yaml": "image:\n  tag: '2'\n"})
    git(root, "commit", "-q", "-am", "change", date="2026-01-02T00:00:00+00:00")
    code, out, err = _invoke("check", str(root), "--base", "main", "--no-history")
    assert (code, out, CANARY in err) == (2, "", False)
    assert "(environments): invalid configuration: expected a mapping, got a string" in err


# 2, 6. Argo CD documents: Helm's own parameter rules and limits; a field of the wrong type is a notice

REPO_URL = "https://git.example.com/team/gitops.git"


def _app(env: str, helm: str = f"valueFiles: [values-dev.yaml]") -> str:
    return ("apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
            f"metadata:\n  name: app-{env}\nspec:\n  project: default\n"
            f"  source:\n    repoURL: {REPO_URL}\n    path: app\n    targetRevision: main\n"
            f"    helm:\n      {helm.replace('values-dev', f'values-{env}')}\n"
            f"  destination:\n    namespace: {env}\n")


ARGO = {**CHART, **{f"argocd/{env}.yaml": _app(env) for env in ("dev", "stage", "prod")}}


def _with_params(*params: tuple[str, str]) -> dict[str, str]:
    listed = ", ".join(f"{{name: {json.dumps(n)}, value: {json.dumps(v)}}}" for n, v in params)
    return {**ARGO, "argocd/dev.yaml": _app("dev", f"valueFiles: [values-dev.yaml]\n      parameters: [{listed}]")}


def _notes(report: dict[str, Any]) -> list[str]:
    return [n for n in report["notices"] if not n.startswith("--no-history")]


def test_a_huge_helm_parameter_index_is_refused_as_helm_refuses_it(tmp_path: Path) -> None:
    write_files(tmp_path, _with_params(("a[99999999]", "1"), ("image.tag", "1")))
    code, report, err, rss, seconds = _spawn(tmp_path)
    assert code == 0 and rss < 200 and seconds < 30, (code, err, rss, seconds)  # was 60 s and 811 MB
    assert report is not None
    assert _notes(report) == ["argocd/dev.yaml: Application app-dev: helm parameter 'a[99999999]': index 99999999 "
                              "is over Helm's maximum of 65536; it is left out of the values"]


@pytest.mark.parametrize("params, note", [
    ([("a[1e30]", "1")], "helm parameter 'a[1e30]': index '1e30' is not a whole number"),  # exhausted memory
    ([("[0]", "1")], "helm parameter '[0]': it names no key, so Helm sets nothing"),  # was exit 3
    ([("a[0]", "1"), ("a.b", "2")], "helm parameter 'a.b': 'a' was set as a list by another parameter and is used "
                                    "as a map here (Helm: 'unable to parse key')"),  # was exit 3
    ([("a.b", "1"), ("a[0]", "2")], "helm parameter 'a[0]': 'a' was set as a map by another parameter and is used "
                                    "as a list here (Helm: 'unable to parse key')"),
    ([("a[-1]", "1")], "helm parameter 'a[-1]': negative index -1 (Helm refuses it)"),
    ([("a" + ".a" * 31, "1")], f"helm parameter {('a' + '.a' * 31)[:60] + '…'!r}: more than 30 nested names "
                               "(Helm's limit)"),
    ([("a,b", "1")], "helm parameter 'a,b': a comma ends the key (Helm: 'key has no value')"),
    ([("b[65536]", "1"), ("c[0]", "1")], "helm parameter 'c[0]': with the parameters before it, its list indexes "
                                         "would create more than 65537 list entries (one list at Helm's largest "
                                         "index)"),
])
def test_helm_parameters_follow_helms_parser(tmp_path: Path, params: list[tuple[str, str]], note: str) -> None:
    write_files(tmp_path, _with_params(*params, ("image.tag", "1")))
    code, report, _ = _check(tmp_path)
    assert code == 0  # the rest is linted: dev still runs tag 1 like stage and prod
    assert _notes(report) == [f"argocd/dev.yaml: Application app-dev: {note}; it is left out of the values"]


def test_helm_parameters_build_values_as_helm_does() -> None:
    from gitops_lint.values import parameters_to_values

    tree, paths = parameters_to_values((("list[1]", "{a,b\\,c,3}"), ("x.y", "C:\\path"), ("n", "+7"),
                                        ("big", "9" * 30), ("k=v", "w"), ("bad[", "1"), ("m[65534]", "1")))
    assert {k: v for k, v in tree.items() if k != "m"} == {"list": [None, ["a", "b,c", 3]], "x": {"y": "C:path"},
                                                           "n": 7, "big": "9" * 30, "k": "v=w"}
    assert len(tree["m"]) == 65535  # with list[1]'s two entries: the 65,537 one source may create
    assert paths == [("list", 1), ("x", "y"), ("n",), ("big",), ("k",), (), ("m", 65534)]


@pytest.mark.parametrize("document, note", [
    ("metadata: 1.5\nspec: {}\n", "ApplicationSet: metadata is a number, expected a mapping; ignored"),
    ("metadata: {name: s}\nspec: 7\n", "ApplicationSet s: spec is a number, expected a mapping; its Applications "
                                       "are not modeled"),
    ("metadata: {name: s}\nspec: {template: {}, generators: 5}\n",
     "ApplicationSet s: spec.generators is a number, expected a list; its Applications are not modeled"),
    ("metadata: {name: s}\nspec: {template: {}, generators: [{list: {elements: 5}}]}\n",
     "ApplicationSet s: spec.generators[0].list.elements is a number, expected a list; ignored"),
    ("metadata: {name: s}\nspec: {template: {metadata: {name: 'x-{{e}}'}, spec: {source: 5}}, "
     "generators: [{list: {elements: [{e: qa}, 3]}}]}\n",
     "ApplicationSet s: spec.generators[0].list.elements[1] is a number, expected a mapping; ignored"),
    ("metadata: {name: s}\nspec: {template: {metadata: {name: 'x-{{e}}'}, spec: {source: 5}}, "
     "generators: [{list: {elements: [{e: qa}]}}]}\n",
     "ApplicationSet s: Application x-qa: spec.source is a number, expected a mapping; ignored"),
])
def test_a_malformed_application_set_is_a_notice(tmp_path: Path, document: str, note: str) -> None:
    write_files(tmp_path, {**ARGO, "argocd/set.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\n"
                                                       + document})
    code, report, _ = _check(tmp_path)  # was exit 3
    assert code == 0 and report["summary"]["apps"] >= 1  # the Applications beside it are still linted
    assert f"argocd/set.yaml: {note}" in _notes(report)


@pytest.mark.parametrize("helm, note", [
    ("valueFiles: 1e+308", "spec.source.helm.valueFiles is a number, expected a list; ignored"),
    ("valueFiles: [values-dev.yaml, {a: 1}]", "spec.source.helm.valueFiles[1] is a mapping, expected text; ignored"),
    ("valueFiles: [values-dev.yaml]\n      parameters: 5", "spec.source.helm.parameters is a number, expected a "
                                                           "list; ignored"),
    ("valueFiles: [values-dev.yaml]\n      parameters: [x, {name: [1]}]",
     "spec.source.helm.parameters[0] is a string, expected a mapping; ignored"),
    ("valueFiles: [values-dev.yaml]\n      ignoreMissingValueFiles: sometimes",
     "spec.source.helm.ignoreMissingValueFiles is a string, expected true or false; ignored"),
])
def test_a_malformed_application_field_is_a_notice(tmp_path: Path, helm: str, note: str) -> None:
    root = make_repo(tmp_path / "repo", {**ARGO, "argocd/dev.yaml": _app("dev", helm)})
    git(root, "remote", "add", "origin", REPO_URL)  # (without a remote, discover reads valueFiles first)
    code, report, _ = _check(root)  # was exit 3 for valueFiles: 1e+308
    assert code in (0, 1) and report["summary"]["envs"] == 3
    assert f"argocd/dev.yaml: Application app-dev: {note}" in _notes(report)


@pytest.mark.parametrize("name, text", [
    ("argocd/set.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\n"
                        "spec: {template: x}\n"),
    ("argocd/dev.yaml", _app("dev", "valueFiles: 1e+308")),
])
def test_malformed_sources_read_before_parsing_are_notices_too(tmp_path: Path, name: str, text: str) -> None:
    write_files(tmp_path, {**ARGO, name: text})
    _check(tmp_path)


def test_a_null_key_beside_string_keys_is_shown_not_a_crash(tmp_path: Path) -> None:
    write_files(tmp_path, {**CHART, "app/values-stage.yaml": "image:\n  tag: '1'\nresources:\n  null: 1\n  foo: 2\n"})
    code, report, _ = _check(tmp_path)  # was exit 3: json.dumps(sort_keys=True) cannot order None and 'foo'
    assert code == 1
    assert [f["message"] for f in report["findings"] if f["rule"] == "parity/drift"] == [
        'stage sets resources to {"foo": 2, "null": 1}, but prod does not set it: stage does not rehearse prod']


def test_kustomize_images_with_fields_of_another_type_are_read_as_absent() -> None:
    from gitops_lint.images import find_images

    found = find_images({"images": [{"name": "app", "newName": {"a": 1}, "newTag": "15"},
                                    {"name": "web", "newTag": ["x"], "digest": {"d": 1}}, {"name": 5, "newTag": "1"}]})
    assert [(i.repository, i.tag, i.digest) for i in found] == [("app", "15", "")]


def test_key_path_patterns_cost_keys_times_segments() -> None:
    probe = ("from gitops_lint.keypaths import matches\n"
             "assert not matches(tuple(f'k{i}' for i in range(60)), '.'.join(['**'] * 40) + '.zz')\n"
             "assert matches(('a', 'b', 'c'), '**.**.c') and not matches(('a', 'b'), '*')\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)  # exponential
    assert proc.returncode == 0, proc.stderr


# a small fuzz smoke of the new parsers (reproducible: derandomized; the long fuzz suite is tests/fuzz)

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_SMOKE = settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
_PIECES = st.sampled_from(["- ", "? ", ": ", "a: ", "a:", "[", "]", "{", "}", ", ", "'", '"', "#", " ", "\n", "\r",
                           "\u2028", "x", "|\n", "&a ", "*a", "!t ", "---\n", "\t", "\\", "\n  ", "\n    "])
_YAMLISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                            st.sampled_from(["metadata", "name", "spec", "source", "sources", "helm", "valueFiles",
                                             "parameters", "value", "template", "generators", "list", "elements",
                                             "matrix", "destination", "syncPolicy", "automated", "repoURL"]),
                            inner, max_size=5), max_leaves=25)


@_SMOKE
@given(st.lists(_PIECES, max_size=60), st.integers(min_value=1, max_value=40))
def test_smoke_the_depth_bound_never_undercounts(pieces: list[str], cap: int) -> None:
    from _ruamel_yaml import CParser
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    from gitops_lint import yamldepth

    text = "".join(pieces)
    parser, depth, deepest = CParser(text), 0, 0
    try:
        while parser.check_event():
            event = parser.get_event()
            depth += isinstance(event, CollectionStartEvent) - isinstance(event, CollectionEndEvent)
            deepest = max(deepest, depth)
    except Exception:  # noqa: BLE001 - a syntax error ends the document where the composer would stop
        pass
    finally:
        parser.dispose()
    assert yamldepth.nesting_bound(text, cap) > cap or deepest <= cap


@_SMOKE
@given(st.sampled_from(["Application", "ApplicationSet"]), _YAMLISH)
def test_smoke_any_argo_document_parses_to_apps_and_notices(kind: str, spec: Any) -> None:
    from gitops_lint import argocd

    data = {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, "metadata": {"name": "app-dev"}, "spec": spec}
    apps, notices = argocd.parse_doc(data, file="a.yaml", doc=0, is_local=lambda url: True)
    assert all(isinstance(n, str) for n in notices) and len(apps) <= 1000
    argocd.raw_sources(data)


@_SMOKE
@given(st.text(alphabet="ab.[]0123456789\\,=-+e", max_size=24), st.text(max_size=8))
def test_smoke_helm_names_either_set_a_value_or_are_refused(name: str, value: str) -> None:
    from gitops_lint import helmset

    tree: dict[str, Any] = {}
    try:
        path = helmset.apply(tree, name, value, helmset.Budget())
    except helmset.ParameterError:
        assert tree == {}  # a refused parameter changes nothing
        return
    assert (path == ()) == (tree == {})


@_SMOKE
@given(st.lists(st.sampled_from(["a", "b", "/", "*", "**", "**/", "?", "."]), max_size=7),
       st.lists(st.sampled_from(["a", "b", "/", ".", "ab"]), max_size=9))
def test_smoke_globs_mean_what_the_old_regexes_meant(pattern: list[str], path: list[str]) -> None:
    import re

    from gitops_lint.globs import path_matches

    glob, text = "".join(pattern).strip("/"), "".join(path)
    regex = "".join("(?:.*/)?" if p == "**/" else ".*" if p == "**" else "[^/]*" if p == "*" else
                    "[^/]" if p == "?" else re.escape(p) for p in re.findall(r"\*\*/|\*\*|.", glob, re.S))
    assert path_matches(text, glob) is bool(re.match(f"^{regex}(?:/.*)?$", text))


def test_a_file_of_repeated_keys_gives_a_bounded_number_of_findings(tmp_path: Path) -> None:
    """Found by the fuzz run: 300,000 repeated keys meant 300,000 findings and over 10 s."""
    from conftest import finding_lines, lint, make_repo

    root = make_repo(tmp_path / "r", {"app/values-stage.yaml": "a: 1\n" * 20_000, "app/values-prod.yaml": "a: 1\n"})
    lines = [line for line in finding_lines(lint(root)) if " yaml/duplicate-key " in line]
    assert len(lines) == 51
    assert ("app/values-stage.yaml:51:1 yaml/duplicate-key 19949 more keys are repeated in this file after these "
            "(not listed one by one)") in lines


def test_a_file_of_too_many_lines_is_refused_before_it_is_composed(tmp_path: Path) -> None:
    """Found by the fuzz run: 800,000 lines of `a: 1` (4 MB, under the byte limit) took 18 s to parse twice."""
    from conftest import finding_lines, lint, make_repo

    root = make_repo(tmp_path / "r", {"app/values-stage.yaml": "a: 1\n" * 300_000, "app/values-prod.yaml": "a: 1\n"})
    started = time.monotonic()
    lines = [line for line in finding_lines(lint(root)) if "app/values-stage.yaml" in line]
    assert lines == ["app/values-stage.yaml yaml/unsafe refused: 300000 lines and commas, over the limit of 131072 "
                     "(an operator can raise it with GITOPS_LINT_MAX_FILE_BYTES: one per 32 bytes)"]
    assert time.monotonic() - started < 10  # generous: the refusal itself costs milliseconds


def test_a_large_file_is_parsed_once_even_when_a_finding_points_into_it(tmp_path: Path) -> None:
    from conftest import finding_lines, lint, make_repo
    from gitops_lint import filecache

    body = "".join(f"k{i}: {i}\n" for i in range(40_000)) + "replicaCount: 1\n"  # over 256 KiB
    root = make_repo(tmp_path / "r", {"app/values-stage.yaml": body, "app/values-prod.yaml": "replicaCount: 3\n"})
    assert len(body) > filecache._POSITIONS_UP_FRONT
    calls: list[bool] = []
    real = yamlio.load_text

    def counting(text: str, relpath: str, **kwargs: Any) -> Any:
        if relpath == "app/values-stage.yaml":
            calls.append(kwargs.get("positions", True))
        return real(text, relpath, **kwargs)

    filecache.yamlio.load_text = counting  # type: ignore[assignment]
    try:
        lines = finding_lines(lint(root))
    finally:
        filecache.yamlio.load_text = real  # type: ignore[assignment]
    assert "app/values-stage.yaml:40001:15 parity/replicas" in " ".join(lines)
    assert calls == [True]


def test_a_work_tree_whose_files_were_touched_does_not_get_its_index_rewritten(tmp_path: Path) -> None:
    """Found by the long fuzz run: `git diff HEAD` against the work tree refreshes .git/index when
    files' stat info changed but their content did not, even with GIT_OPTIONAL_LOCKS=0."""
    root = make_repo(tmp_path / "repo", {
        "app/values-stage.yaml": "image:\n  repository: r.example.com/app\n  tag: '1'\n",
        "app/values-prod.yaml": "image:\n  repository: r.example.com/app\n  tag: '1'\n"})
    index = root / ".git" / "index"
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    later = time.time() + 5
    for name in ("values-stage.yaml", "values-prod.yaml"):
        os.utime(root / "app" / name, (later, later))  # same content, new stat info
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 0, result.output
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before

