"""Declared promotion orders (Kargo Stages, gitops-promoter PromotionStrategy, Progressive Sync) and
the evidence `discover` shows for each edge of an app's promotion graph."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import finding_lines, lint, make_repo
from gitops_lint.cli import main

KUST = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\nimages:\n"
        "  - name: ghcr.io/acme/guestbook\n    newTag: {tag}\n")
STAGE = ("apiVersion: kargo.akuity.io/v1alpha1\nkind: Stage\nmetadata:\n  name: {name}\n  namespace: guestbook\nspec:\n"
         "  requestedFreight:\n    - origin: {{kind: Warehouse, name: guestbook}}\n      sources: {sources}\n")
KARGO = {
    "guestbook/base/kustomization.yaml": "resources: [deployment.yaml]\n",
    "guestbook/base/deployment.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: guestbook\nspec:\n"
                                       "  template:\n    spec:\n      containers:\n        - name: app\n"
                                       "          image: ghcr.io/acme/guestbook:0.1.0\n"),
    "guestbook/overlays/latest/kustomization.yaml": KUST.format(tag="1.0.0"),
    "guestbook/overlays/stable/kustomization.yaml": KUST.format(tag="1.0.0"),
    "kargo/stages.yaml": STAGE.format(name="latest", sources="{direct: true}") + "---\n"
                         + STAGE.format(name="stable", sources="{stages: [latest]}"),
}


def _discover(root: Path) -> dict:
    result = CliRunner().invoke(main, ["discover", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_kargo_stages_name_envs_the_aliases_do_not_know_and_history_follows_them(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", KARGO, history=[
        ("2026-02-01T10:00:00+00:00", "latest: 1.1.0", {"guestbook/overlays/latest/kustomization.yaml": KUST.format(tag="1.1.0")}),
        ("2026-02-03T10:00:00+00:00", "stable: 1.2.0", {"guestbook/overlays/stable/kustomization.yaml": KUST.format(tag="1.2.0")}),
    ])
    model = _discover(root)
    assert [(a["name"], [e["env"] for e in a["envs"]], a["promotion"]) for a in model["apps"]] == [
        ("guestbook", ["latest", "stable"],
         [{"from": "latest", "to": "stable", "evidence": "declared", "detail": "Kargo Stages, kargo/stages.yaml"}])]
    lines = finding_lines(lint(root))
    assert len(lines) == 1 and lines[0].startswith(
        "guestbook/overlays/stable/kustomization.yaml:6:13 promotion/untested-tag stable runs ghcr.io/acme/guestbook:1.2.0, "
        "which never ran in latest (latest ran 1.0.0, 1.1.0 on branch main); it reached stable in commit ")


def test_without_the_declared_order_those_envs_are_not_invented(tmp_path: Path) -> None:
    files = {k: v for k, v in KARGO.items() if not k.startswith("kargo/")}
    model = _discover(make_repo(tmp_path / "r", files))
    assert model["apps"] == []


PROMOTER = """apiVersion: promoter.argoproj.io/v1alpha1
kind: PromotionStrategy
metadata:
  name: web
spec:
  environments:
    - branch: environment/development
    - branch: environment/staging
    - branch: environment/production
      autoMerge: false
"""
APP = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web-{env}
spec:
  project: default
  source:
    repoURL: https://git.example.com/acme/deploy.git
    path: web
    targetRevision: {branch}
    helm:
      valueFiles: [values-{env}.yaml]
  destination:
    server: https://kubernetes.default.svc
    namespace: web-{env}
"""


def test_a_promotion_strategy_is_the_evidence_only_for_the_envs_on_its_branches(tmp_path: Path) -> None:
    files = {"promotion.yaml": PROMOTER, "web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n"}
    for env, branch in (("development", "environment/development"), ("staging", "environment/staging"),
                        ("production", "environment/production")):
        files[f"apps/web-{env}.yaml"] = APP.format(env=env, branch=branch)
        files[f"web/values-{env}.yaml"] = "replicaCount: 2\n"
    files["other/values-staging.yaml"] = "replicaCount: 2\n"  # an app the strategy does not govern
    files["other/values-prod.yaml"] = "replicaCount: 2\n"
    root = make_repo(tmp_path / "r", files)
    for branch in ("environment/development", "environment/staging", "environment/production"):
        from conftest import git
        git(root, "branch", branch)
    model = _discover(root)
    graph = {a["name"]: [(e["from"], e["to"], e["evidence"], e["detail"]) for e in a["promotion"]] for a in model["apps"]}
    assert graph == {
        "other": [("staging", "prod", "by name", "stage comes before prod")],
        "web": [("development", "staging", "declared", "PromotionStrategy web, promotion.yaml"),
                ("staging", "production", "declared", "PromotionStrategy web, promotion.yaml")],
    }


def test_two_productions_after_stage_are_siblings_not_a_chain(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "r", {"app/values-staging.yaml": "replicaCount: 3\n",
                                      "app/values-production-west.yaml": "replicaCount: 3\n",
                                      "app/values-production-east.yaml": "replicaCount: 3\n"})
    model = _discover(root)
    assert [(e["from"], e["to"]) for e in model["apps"][0]["promotion"]] == [
        ("staging", "production-east"), ("staging", "production-west")]
    assert not [n for n in model["notices"] if "are all prod envs" in n]
    text = CliRunner().invoke(main, ["discover", str(root)]).stdout
    assert text.splitlines()[0] == "app  (staging → production-east, production-west)  found by: env-files"


def _overlay(tag: str) -> str:
    return KUST.format(tag=tag)


def test_an_order_history_shows_every_time_is_inferred_and_an_unrelated_env_is_left_out(tmp_path: Path) -> None:
    files = {k: v for k, v in KARGO.items() if not k.startswith("kargo/")}
    files = {k.replace("/latest/", "/canary/").replace("/stable/", "/main/"): v for k, v in files.items()}
    files["guestbook/overlays/review/kustomization.yaml"] = _overlay("0.9.0")  # on demand: no promotion relation
    history = []
    for day, tag in ((2, "1.1.0"), (5, "1.2.0"), (9, "1.3.0")):
        history.append((f"2026-03-0{day}T09:00:00+00:00", f"canary {tag}", {"guestbook/overlays/canary/kustomization.yaml": _overlay(tag)}))
        history.append((f"2026-03-0{day}T15:00:00+00:00", f"main {tag}", {"guestbook/overlays/main/kustomization.yaml": _overlay(tag)}))
    history.append(("2026-03-10T09:00:00+00:00", "main 1.4.0", {"guestbook/overlays/main/kustomization.yaml": _overlay("1.4.0")}))
    root = make_repo(tmp_path / "r", files, history=history)
    model = _discover(root)
    assert [(a["name"], [e["env"] for e in a["envs"]], a["promotion"]) for a in model["apps"]] == [
        ("guestbook", ["canary", "main"],
         [{"from": "canary", "to": "main", "evidence": "inferred",
           "detail": "from 3 promotions in the history of guestbook/overlays"}])]
    lines = finding_lines(lint(root))
    assert len(lines) == 1 and lines[0].startswith(
        "guestbook/overlays/main/kustomization.yaml:6:13 promotion/untested-tag main runs ghcr.io/acme/guestbook:1.4.0, "
        "which never ran in canary (canary ran ")


def test_history_that_goes_both_ways_infers_nothing(tmp_path: Path) -> None:
    files = {k.replace("/latest/", "/blue/").replace("/stable/", "/green/"): v for k, v in KARGO.items()
             if not k.startswith("kargo/")}
    history = []
    for day, (first, second) in enumerate((("blue", "green"), ("green", "blue"), ("blue", "green")), start=1):
        tag = f"1.{day}.0"
        history.append((f"2026-03-0{day}T09:00:00+00:00", tag, {f"guestbook/overlays/{first}/kustomization.yaml": _overlay(tag)}))
        history.append((f"2026-03-0{day}T15:00:00+00:00", tag, {f"guestbook/overlays/{second}/kustomization.yaml": _overlay(tag)}))
    model = _discover(make_repo(tmp_path / "r", files, history=history))
    assert model["apps"] == []
