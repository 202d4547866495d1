"""Every rule on the seed layout (chart manual-app-helm/, values-dev|stage|prod.yaml, Argo CD
Applications manual-app-dev|stage|prod): the clean repo passes, and one realistic mistake per
rule, made in the working tree as a pre-commit hook would see it, is caught at the right place."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from conftest import finding_lines, lint
from gitops_lint.demo import build_demo

CHART = "manual-app-helm"


def _edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        target = root / path
        text = target.read_text()
        assert old in text, f"{old!r} not in {path}"
        target.write_text(text.replace(old, new, 1))
    return apply


def _write(path: str, text: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / path).write_text(text)
    return apply


def _remove(*paths: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for path in paths:
            (root / path).unlink()
    return apply


CASES = {
    "promotion/untested-tag": (_edit(f"{CHART}/values-prod.yaml", 'tag: "16"', 'tag: "17"'),
                               f"{CHART}/values-prod.yaml:2:8",
                               "prod runs registry.example.com/team/manual-app:17, which never ran in stage"),
    "promotion/rebuilt-image": (_edit(f"{CHART}/values-prod.yaml", 'image:\n', "image:\n  repository: "
                                      "registry.example.com/team/manual-app-prod\n"),
                                f"{CHART}/values-prod.yaml:2:15",
                                "prod runs registry.example.com/team/manual-app-prod:16, but stage runs "
                                "registry.example.com/team/manual-app:16"),
    "promotion/mutable-tag": (_edit(f"{CHART}/values-prod.yaml", 'tag: "16"', "tag: latest"),
                              f"{CHART}/values-prod.yaml:2:8",
                              "prod runs registry.example.com/team/manual-app:latest: 'latest' is a mutable tag"),
    "parity/drift": (_edit(f"{CHART}/values-stage.yaml", "instance-type: m6i.xlarge", "instance-type: t3.small"),
                     f"{CHART}/values-stage.yaml:27:37",
                     'stage sets nodeSelector."node.kubernetes.io/instance-type" to t3.small, but prod sets m6i.xlarge '
                     f"({CHART}/values-prod.yaml:27): stage does not rehearse prod"),
    "parity/replicas": (_edit(f"{CHART}/values-stage.yaml", "maxReplicas: 10", "maxReplicas: 4"),
                        f"{CHART}/values-stage.yaml:7:16",
                        "stage sets autoscaling.maxReplicas to 4, but prod sets 10"),
    "exposure/missing-tls": (_edit(f"{CHART}/values-prod.yaml", "  tls:\n    - secretName: manual-app-prod-tls\n"
                                   "      hosts:\n        - manual-app.example.com\n", ""),
                             f"{CHART}/values-prod.yaml:9:12",
                             "prod serves manual-app.example.com through an enabled ingress with no TLS"),
    "exposure/missing-ingress": (_edit(f"{CHART}/values-prod.yaml", "ingress:\n  enabled: true",
                                       "ingress:\n  enabled: false"),
                                 f"{CHART}/values-prod.yaml:9:12",
                                 "prod has no enabled ingress (ingress), but stage serves "
                                 "manual-app.stage.example.com through one"),
    "argocd/auto-sync-prod": (_edit("argocd/manual-app-prod.yaml", "    namespace: prod\n",
                                    "    namespace: prod\n  syncPolicy:\n    automated: {}\n"),
                              "argocd/manual-app-prod.yaml:19:5",
                              "prod's Application manual-app-prod syncs automatically (syncPolicy.automated) from main"),
    "argocd/values-file": (_edit("argocd/manual-app-prod.yaml", "- values-prod.yaml", "- values-stage.yaml"),
                           "argocd/manual-app-prod.yaml:14:11",
                           "Application manual-app-prod deploys prod but uses values-stage.yaml, the values file "
                           "of stage"),
    "argocd/namespace": (_edit("argocd/manual-app-prod.yaml", "namespace: prod", "namespace: stage"),
                         "argocd/manual-app-prod.yaml:17:16",
                         "Application manual-app-prod (prod) deploys to namespace stage on "
                         "https://kubernetes.default.svc, where manual-app-stage (stage) deploys too"),
    "argocd/source": (_edit("argocd/manual-app-stage.yaml", "path: manual-app-helm", "path: manual-app-helm-v2"),
                      "argocd/manual-app-stage.yaml:10:11",
                      "Application manual-app-stage deploys path manual-app-helm-v2, which does not exist"),
    "structure/missing-env": (_remove("argocd/manual-app-stage.yaml", f"{CHART}/values-stage.yaml"),
                              "argocd/manual-app-prod.yaml:4:9",
                              "manual-app reaches prod without stage (dev → prod): nothing rehearses prod"),
    "yaml/syntax": (_edit(f"{CHART}/values-prod.yaml", 'tag: "16"', 'tag: "16'),
                    f"{CHART}/values-prod.yaml:24:11", "cannot parse YAML: did not find expected key"),
    "yaml/duplicate-key": (_edit(f"{CHART}/values-prod.yaml", 'tag: "16"\n', 'tag: "16"\n  tag: "17"\n'),
                           f"{CHART}/values-prod.yaml:3:3", "key 'tag' is repeated (first at line 2)"),
    "yaml/unsafe": (_write(f"{CHART}/values-prod.yaml", "a: " + "[" * 80 + "]" * 80 + "\n"),
                    f"{CHART}/values-prod.yaml", "refused: nesting"),
}


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    steps = build_demo(tmp_path_factory.mktemp("seed") / "repo")
    _, root = next(steps)
    return root


def test_seed_layout_is_clean(seed: Path) -> None:
    assert finding_lines(lint(seed)) == []


@pytest.mark.parametrize("rule", CASES, ids=CASES)
def test_seed_mistake_is_caught_where_it_is(rule: str, seed: Path, tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(seed, root)
    mistake, where, message = CASES[rule]
    mistake(root)
    lines = [line.partition(f" {rule} ") for line in finding_lines(lint(root)) if line.split(" ", 2)[1] == rule]
    assert any((location == where or location.startswith(f"{where}:")) and text.startswith(message)
               for location, _, text in lines), lines
