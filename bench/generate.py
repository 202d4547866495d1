#!/usr/bin/env python3
"""Build a synthetic GitOps monorepo with promotion history, for benchmarking gitops-lint.

    python bench/generate.py --apps 200 --commits 5000 --out bench/out/medium --seed 1

Writes DIR/repo (a git work tree on `main`), DIR/expected-findings.txt and DIR/meta.json.

The repo follows the seed layout, one chart per app:

    apps/<app>/Chart.yaml, values.yaml, templates/*.yaml
    apps/<app>/values-dev.yaml | values-stage.yaml | values-prod.yaml
    argocd/<app>-<env>.yaml        Argo CD Applications (dev/stage auto-sync from main; prod manual
                                   from main, or auto-sync pinned to a release tag)
    docs/, platform/, scripts/, .github/  files no env uses

History is exactly --commits commits, 10 minutes apart (committer dates strictly increasing): one
skeleton commit, one commit adding each app at build 1 in every env (a bootstrap), then a random
mix of CI bumps of dev, dev -> stage and stage -> prod promotions, config edits (kept equal in stage
and prod), and unrelated commits; last, the planted violations (a handful per rule), each in its
own commit(s), listed in expected-findings.txt. --no-violations replaces them with ordinary commits:
that repo must lint clean (any finding is a false one).

Everything goes through ONE `git fast-import` stream (blobs written inline), then `git checkout`.
Memory stays flat: only the per-app state is kept; file text is rendered when written.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

REPO_URL = "https://git.example.com/platform/deploy.git"
REGISTRY = "registry.example.com/team"
T0 = 1704096000  # 2024-01-01T08:00:00Z; 50,000 commits x 10 min end in late 2024, before "now"
STEP = 600
ENVS = ("dev", "stage", "prod")
RELEASE_TAG = "release-2024.12"

DOMAINS = ["accounts", "billing", "orders", "payments", "invoices", "catalog", "search", "checkout", "cart", "shipping", "inventory", "pricing", "promotions", "reviews", "ratings", "users", "profiles", "auth", "sessions", "notifications", "emails", "sms", "webhooks", "reports", "analytics", "metrics", "audit", "ledger", "fraud", "risk", "loyalty", "rewards", "coupons", "subscriptions", "media", "images", "thumbnails", "uploads", "exports", "imports", "partners", "vendors", "suppliers", "warehouse", "fulfillment", "returns", "refunds", "tax", "currency", "geo", "maps", "routing", "tracking", "recommendations", "feeds", "comments", "chat", "support", "tickets", "onboarding"]
KINDS = ["api", "worker", "web", "gateway", "scheduler", "consumer", "sync", "service", "backend", "frontend", "admin", "cron", "indexer", "exporter", "importer", "processor", "router", "cache", "proxy", "bff"]

CI_AUTHOR = ("ci-bot", "ci-bot@example.com")
HUMANS = [("Ana Ruiz", "ana@example.com"), ("Ben Okafor", "ben@example.com"), ("Chen Wei", "chen@example.com"),
          ("Dana Cohen", "dana@example.com"), ("Emil Berg", "emil@example.com"), ("Fatima Khan", "fatima@example.com")]
TEAMS = ["core", "commerce", "growth", "data", "platform", "identity"]
MEMORY = ["256Mi", "512Mi", "1Gi", "2Gi"]
CPU = ["250m", "500m", "1", "2"]
POOLS = ["m6i.large", "m6i.xlarge", "c6i.xlarge"]

# rule, file kind, what is planted. Each kind gets its own apps, so violations never overlap.
PLANTS = [
    "untested_never", "untested_before", "rebuilt_repo", "mutable_latest", "drift_memory", "replicas",
    "missing_tls", "missing_ingress", "autosync_prod", "values_file", "namespace", "source",
    "missing_env", "yaml_syntax", "duplicate_key",
]


@dataclass(eq=False)
class App:
    name: str
    index: int
    team: str
    port: int
    build: int = 1
    tags: dict[str, str] = field(default_factory=dict)
    replicas: int = 2
    mem: str = "512Mi"
    cpu: str = "500m"
    pool: str = "m6i.large"
    chart_version: int = 1
    log_level: str = "debug"
    flags: int = 0
    annotations: int = 0
    pinned_prod: bool = False  # prod auto-syncs a release tag
    release: str = RELEASE_TAG  # the tag it pins (--release-tags spreads apps over several)
    # planted overrides
    prod_repository: str | None = None
    prod_tls: bool = True
    prod_ingress: bool = True
    stage_memory: str | None = None
    stage_replicas: int | None = None
    stage_duplicate_key: bool = False
    dev_broken: bool = False
    argo: dict[str, dict[str, Any]] = field(default_factory=lambda: {e: {} for e in ENVS})
    has_stage: bool = True
    forked_chart: bool = False

    def tag(self, env: str) -> str:
        return self.tags[env]


def release_tag(index: int) -> str:
    """The index-th of --release-tags release tags, oldest first."""
    return f"release-{index + 1:03d}"


def tag_of(build: int) -> str:
    return f"1.{build // 100}.{build % 100}"


# ---------------------------------------------------------------------------------------------
# file rendering

def chart_yaml(app: App) -> str:
    return (f"apiVersion: v2\nname: {app.name}\ndescription: The {app.name} service ({app.team} team)\n"
            f"type: application\nversion: 0.{app.chart_version}.0\nappVersion: \"1.0.0\"\n"
            f"maintainers:\n  - name: {app.team}\n    email: {app.team}@example.com\n")


def values_yaml(app: App) -> str:
    annotations = "".join(f"  example.com/revision-{i}: \"{i}\"\n" for i in range(app.annotations)) or ""
    return f"""# Default values for {app.name}. Env files override them.
replicaCount: 1

image:
  repository: {REGISTRY}/{app.name}
  tag: ""
  pullPolicy: IfNotPresent

imagePullSecrets: []
nameOverride: ""
fullnameOverride: ""

serviceAccount:
  create: true
  annotations: {{}}
  name: ""

podAnnotations:
  prometheus.io/scrape: "true"
  prometheus.io/port: "{app.port}"
{annotations}
service:
  type: ClusterIP
  port: {app.port}

ingress:
  enabled: false
  className: nginx
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
  hosts:
    - host: {app.name}.example.com
      paths:
        - path: /
          pathType: Prefix
  tls:
    - secretName: {app.name}-tls
      hosts:
        - {app.name}.example.com

resources:
  requests:
    cpu: 100m
    memory: 128Mi
  limits:
    cpu: 250m
    memory: 256Mi

autoscaling:
  enabled: false
  minReplicas: 1
  maxReplicas: 3
  targetCPUUtilizationPercentage: 80

livenessProbe:
  httpGet:
    path: /healthz
    port: http
  initialDelaySeconds: 10
readinessProbe:
  httpGet:
    path: /ready
    port: http

nodeSelector: {{}}
tolerations: []
affinity: {{}}
"""


def env_values(app: App, env: str) -> str:
    host = f"{app.name}.{env}.example.com" if env != "prod" else f"{app.name}.example.com"
    repo = f"  repository: {app.prod_repository}\n" if env == "prod" and app.prod_repository else ""
    if env == "dev":
        limits = "{cpu: 250m, memory: 256Mi" + ("" if app.dev_broken else "}")
        return f"""image:
  tag: "{app.tag('dev')}"
replicaCount: 1
ingress:
  enabled: true
  hosts:
    - host: {host}
      paths:
        - path: /
          pathType: Prefix
  tls:
    - secretName: {app.name}-dev-tls
      hosts:
        - {host}
resources:
  requests: {{cpu: 100m, memory: 128Mi}}
  limits: {limits}
env:
  LOG_LEVEL: {app.log_level}
  FEATURE_FLAGS: "beta-{app.flags}"
  DATABASE_URL: postgres://{app.name}@db.dev.internal:5432/{app.name.replace('-', '_')}
"""
    mem = app.stage_memory if env == "stage" and app.stage_memory else app.mem
    replicas = app.stage_replicas if env == "stage" and app.stage_replicas else app.replicas
    tls = f"""  tls:
    - secretName: {app.name}-{env}-tls
      hosts:
        - {host}
""" if (env != "prod" or app.prod_tls) else "  tls: []\n"
    enabled = "true" if (env != "prod" or app.prod_ingress) else "false"
    dup = f"replicaCount: {replicas}\n" if env == "stage" and app.stage_duplicate_key else ""
    return f"""image:
{repo}  tag: "{app.tag(env)}"
replicaCount: {replicas}
ingress:
  enabled: {enabled}
  hosts:
    - host: {host}
      paths:
        - path: /
          pathType: Prefix
{tls}resources:
  requests:
    cpu: {app.cpu}
    memory: {app.mem}
  limits:
    cpu: {app.cpu}
    memory: {mem}
nodeSelector:
  node.kubernetes.io/instance-type: {app.pool}
podDisruptionBudget:
  enabled: true
  minAvailable: 1
env:
  LOG_LEVEL: info
  DATABASE_URL: postgres://{app.name}@db.{env}.internal:5432/{app.name.replace('-', '_')}
{dup}"""


def argo_app(app: App, env: str) -> str:
    over = app.argo[env]
    revision = over.get("revision", app.release if env == "prod" and app.pinned_prod else "main")
    automated = over.get("automated", env != "prod" or app.pinned_prod)
    path = over.get("path", f"apps/{app.name}")
    value_file = over.get("value_file", f"values-{env}.yaml")
    namespace = over.get("namespace", env)
    sync = "    automated:\n      prune: true\n      selfHeal: true\n" if automated else ""
    return f"""apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {app.name}-{env}
  namespace: argocd
  labels:
    team: {app.team}
    env: {env}
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: {app.team}
  source:
    repoURL: {REPO_URL}
    path: {path}
    targetRevision: {revision}
    helm:
      valueFiles:
        - {value_file}
  destination:
    server: https://kubernetes.default.svc
    namespace: {namespace}
  syncPolicy:
{sync}    syncOptions:
      - CreateNamespace=true
"""


TEMPLATES = {
    "deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "app.fullname" . }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    spec:
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          resources: {{- toYaml .Values.resources | nindent 12 }}
""",
    "service.yaml": """apiVersion: v1
kind: Service
metadata:
  name: {{ include "app.fullname" . }}
spec:
  ports:
    - port: {{ .Values.service.port }}
""",
    "ingress.yaml": """{{- if .Values.ingress.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "app.fullname" . }}
spec:
  {{- with .Values.ingress.tls }}
  tls: {{- toYaml . | nindent 4 }}
  {{- end }}
  rules:
    {{- range .Values.ingress.hosts }}
    - host: {{ .host }}
    {{- end }}
{{- end }}
""",
    "_helpers.tpl": """{{- define "app.fullname" -}}
{{ .Release.Name | trunc 63 }}
{{- end }}
""",
}


def doc_text(topic: str, revision: int, rng: random.Random) -> str:
    words = ["deploy", "rollback", "promote", "runbook", "alert", "oncall", "latency", "budget", "cluster", "node", "quota"]
    body = "\n".join(" ".join(rng.choice(words) for _ in range(12)) for _ in range(8))
    return f"# {topic}\n\nRevision {revision}.\n\n{body}\n"


SKELETON = {
    "README.md": "# deploy\n\nGitOps repo: one chart per app under apps/, Argo CD Applications under argocd/.\n",
    ".gitignore": "*.tgz\n.DS_Store\n",
    ".github/workflows/ci.yaml": """name: ci
on: [pull_request]
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - run: pipx run gitops-lint check .
""",
    "platform/namespaces.yaml": """apiVersion: v1
kind: Namespace
metadata:
  name: dev
---
apiVersion: v1
kind: Namespace
metadata:
  name: stage
---
apiVersion: v1
kind: Namespace
metadata:
  name: prod
""",
    "scripts/promote.sh": "#!/bin/sh\n# promote.sh APP FROM TO: copy the image tag\nset -eu\n",
}
DOC_TOPICS = ["runbook", "oncall", "promotion", "architecture", "incidents", "onboarding", "costs", "security"]


# ---------------------------------------------------------------------------------------------
# the fast-import stream

class Stream:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.mark = 0
        self.commits = 0
        self.bytes = 0

    def commit(self, when: int, author: tuple[str, str], message: str,
               files: dict[str, str | None]) -> None:
        self.mark += 1
        self.commits += 1
        name, email = author
        msg = message.encode()
        parts = [f"commit refs/heads/main\nmark :{self.mark}\n"
                 f"author {name} <{email}> {when} +0000\ncommitter {name} <{email}> {when} +0000\n"
                 f"data {len(msg)}\n".encode(), msg, b"\n"]
        for path, text in files.items():
            if text is None:
                parts.append(f"D {path}\n".encode())
                continue
            data = text.encode()
            mode = "100755" if path.endswith(".sh") else "100644"
            parts.append(f"M {mode} inline {path}\ndata {len(data)}\n".encode())
            parts.append(data)
            parts.append(b"\n")
        parts.append(b"\n")
        chunk = b"".join(parts)
        self.bytes += len(chunk)
        self.out.write(chunk)

    def tag_head(self, name: str) -> None:
        self.out.write(f"reset refs/tags/{name}\nfrom :{self.mark}\n\n".encode())


def app_files(app: App) -> dict[str, str | None]:
    base = f"apps/{app.name}"
    files: dict[str, str | None] = {f"{base}/Chart.yaml": chart_yaml(app), f"{base}/values.yaml": values_yaml(app)}
    files.update({f"{base}/templates/{name}": text for name, text in TEMPLATES.items()})
    for env in ENVS:
        files[f"{base}/values-{env}.yaml"] = env_values(app, env)
        files[f"argocd/{app.name}-{env}.yaml"] = argo_app(app, env)
    return files


class Generator:
    def __init__(self, apps: int, commits: int, seed: int, violations: bool, release_tags: int = 1) -> None:
        self.rng = random.Random(seed)
        self.release_tags = release_tags
        self.n_apps = apps
        self.n_commits = commits
        self.violations = violations
        names = [f"{d}-{k}" for d in DOMAINS for k in KINDS]
        if apps > len(names):
            names += [f"{d}-{k}-{i}" for i in range(2, 2 + apps // len(names) + 1) for d in DOMAINS for k in KINDS]
        self.rng.shuffle(names)
        self.apps = [App(name=n, index=i, team=TEAMS[i % len(TEAMS)], port=8000 + i % 1000,
                         replicas=self.rng.choice([2, 3, 4]), mem=self.rng.choice(MEMORY[1:]),
                         cpu=self.rng.choice(CPU[:3]), pool=self.rng.choice(POOLS),
                         pinned_prod=(i % 10 == 7))
                     for i, n in enumerate(sorted(names[:apps]))]
        for app in self.apps:
            app.tags = {env: tag_of(1) for env in ENVS}
            if self.release_tags > 1:
                app.release = release_tag(app.index % self.release_tags)
        self.expected: list[tuple[str, str, str, str]] = []  # rule, path, kind, note
        self.doc_revision = 0
        self.kind_counts: dict[str, int] = {}

    # -- time and authors
    def when(self, stream: Stream) -> int:
        return T0 + stream.commits * STEP + self.rng.randrange(0, STEP // 2)

    def human(self) -> tuple[str, str]:
        return self.rng.choice(HUMANS)

    def env_file(self, app: App, env: str) -> dict[str, str | None]:
        return {f"apps/{app.name}/values-{env}.yaml": env_values(app, env)}

    # -- ordinary history steps
    def step(self, s: Stream) -> None:
        rng = self.rng
        roll = rng.random()
        app = rng.choice(self.active)
        if roll < 0.40:
            self.bump(s, app)
        elif roll < 0.62:
            if app.tag("dev") == app.tag("stage"):
                self.bump(s, app)
            else:
                self.promote(s, [app], "dev", "stage")
        elif roll < 0.76:
            ready = [a for a in [app] + rng.sample(self.active, min(3, len(self.active)))
                     if a.tag("stage") != a.tag("prod")]
            ready = list(dict.fromkeys(ready))
            if not ready:
                self.bump(s, app)
            else:  # a release train now and then: several apps in one commit
                self.promote(s, ready[: rng.choice([1, 1, 1, 2, 3])], "stage", "prod")
        elif roll < 0.85:
            self.config_edit(s, app)
        else:
            self.unrelated(s)

    def bump(self, s: Stream, app: App) -> None:
        app.build += 1
        app.tags["dev"] = tag_of(app.build)
        self._count("ci-bump")
        s.commit(self.when(s), CI_AUTHOR, f"ci: deploy {app.name} {app.tags['dev']} to dev\n",
                 self.env_file(app, "dev"))

    def promote(self, s: Stream, apps: list[App], src: str, dst: str) -> None:
        files: dict[str, str | None] = {}
        for app in apps:
            app.tags[dst] = app.tags[src]
            files.update(self.env_file(app, dst))
        self._count(f"promote-{dst}")
        what = ", ".join(f"{a.name} {a.tags[dst]}" for a in apps)
        ticket = f" (CHG-{self.rng.randrange(1000, 9999)})" if dst == "prod" else ""
        s.commit(self.when(s), self.human(), f"promote {what} to {dst}{ticket}\n", files)

    def config_edit(self, s: Stream, app: App) -> None:
        rng = self.rng
        kind = rng.choice(["resize", "scale", "dev", "chart", "argo"])
        self._count(f"config-{kind}")
        if kind == "resize":
            app.mem = rng.choice([m for m in MEMORY[1:] if m != app.mem])
            app.cpu = rng.choice(CPU[:3])
            files = {**self.env_file(app, "stage"), **self.env_file(app, "prod")}
            msg = f"{app.name}: resize to {app.cpu} CPU / {app.mem} in stage and prod\n"
        elif kind == "scale":
            app.replicas = rng.choice([r for r in (2, 3, 4, 6) if r != app.replicas])
            files = {**self.env_file(app, "stage"), **self.env_file(app, "prod")}
            msg = f"{app.name}: run {app.replicas} replicas in stage and prod\n"
        elif kind == "dev":
            app.log_level = "info" if app.log_level == "debug" else "debug"
            app.flags += 1
            files = self.env_file(app, "dev")
            msg = f"{app.name}: dev log level {app.log_level}, feature flags beta-{app.flags}\n"
        elif kind == "chart":
            app.chart_version += 1
            app.annotations = (app.annotations + 1) % 4
            base = f"apps/{app.name}"
            files = {f"{base}/Chart.yaml": chart_yaml(app), f"{base}/values.yaml": values_yaml(app)}
            msg = f"{app.name}: chart 0.{app.chart_version}.0\n"
        else:
            env = rng.choice(ENVS)
            app.argo[env]["_touch"] = app.argo[env].get("_touch", 0) + 1
            files = {f"argocd/{app.name}-{env}.yaml": argo_app(app, env)}
            msg = f"argocd: resync {app.name}-{env}\n"
        s.commit(self.when(s), self.human(), msg, files)

    def unrelated(self, s: Stream) -> None:
        self.doc_revision += 1
        roll = self.rng.random()
        self._count("unrelated")
        if roll < 0.7:
            topic = self.rng.choice(DOC_TOPICS)
            files: dict[str, str | None] = {f"docs/{topic}.md": doc_text(topic, self.doc_revision, self.rng)}
            msg = f"docs: update {topic}\n"
        elif roll < 0.85:
            files = {".github/workflows/ci.yaml": SKELETON[".github/workflows/ci.yaml"]
                     + f"# revision {self.doc_revision}\n"}
            msg = "ci: tweak workflow\n"
        else:
            files = {"scripts/promote.sh": SKELETON["scripts/promote.sh"] + f"# revision {self.doc_revision}\n"}
            msg = "scripts: promote.sh fixes\n"
        s.commit(self.when(s), self.human(), msg, files)

    def _count(self, kind: str) -> None:
        self.kind_counts[kind] = self.kind_counts.get(kind, 0) + 1

    # -- planted violations
    def expect(self, rule: str, path: str, kind: str, note: str) -> None:
        self.expected.append((rule, path, kind, note))

    def plant(self, s: Stream, what: str, app: App) -> None:
        n, h = app.name, self.human()
        prod_file, stage_file, dev_file = (f"apps/{n}/values-{e}.yaml" for e in ("prod", "stage", "dev"))
        prod_app, stage_app = f"argocd/{n}-prod.yaml", f"argocd/{n}-stage.yaml"
        if what == "untested_never":
            app.build += 1
            app.tags["prod"] = tag_of(app.build)
            s.commit(self.when(s), h, f"hotfix: ship {n} {app.tags['prod']} straight to prod\n",
                     self.env_file(app, "prod"))
            self.expect("promotion/untested-tag", prod_file, "planted", f"prod {app.tags['prod']} never in stage")
        elif what == "untested_before":
            self.bump(s, app)
            app.tags["prod"] = app.tags["dev"]
            s.commit(self.when(s), h, f"promote {n} {app.tags['prod']} to prod (urgent)\n", self.env_file(app, "prod"))
            app.tags["stage"] = app.tags["dev"]
            s.commit(self.when(s), h, f"promote {n} {app.tags['stage']} to stage (catch up)\n",
                     self.env_file(app, "stage"))
            self.expect("promotion/untested-tag", prod_file, "planted", f"prod got {app.tags['prod']} before stage")
        elif what == "rebuilt_repo":
            app.prod_repository = f"{REGISTRY}/{n}-prod"
            app.tags["prod"] = app.tags["stage"]
            s.commit(self.when(s), h, f"{n}: pull prod from its own repository\n", self.env_file(app, "prod"))
            self.expect("promotion/rebuilt-image", prod_file, "planted", "prod image from another repository")
            self.expect("promotion/untested-tag", prod_file, "consequence",
                        "repository+tag is the identity: <app>-prod:<tag> never ran in stage")
        elif what == "mutable_latest":
            app.tags["prod"] = "latest"
            s.commit(self.when(s), h, f"{n}: prod follows latest\n", self.env_file(app, "prod"))
            self.expect("promotion/mutable-tag", prod_file, "planted", "prod tag latest")
        elif what == "drift_memory":
            app.mem = "1Gi" if app.mem != "1Gi" else "2Gi"
            app.stage_memory = "512Mi"
            s.commit(self.when(s), h, f"{n}: more memory in prod, stage stays small\n",
                     {**self.env_file(app, "stage"), **self.env_file(app, "prod")})
            self.expect("parity/drift", stage_file, "planted", "stage memory limit smaller than prod")
        elif what == "replicas":
            app.replicas = max(app.replicas, 3)
            app.stage_replicas = 1
            s.commit(self.when(s), h, f"{n}: one replica is enough in stage\n",
                     {**self.env_file(app, "stage"), **self.env_file(app, "prod")})
            self.expect("parity/replicas", stage_file, "planted", f"stage 1 replica, prod {app.replicas}")
        elif what == "missing_tls":
            app.prod_tls = False
            s.commit(self.when(s), h, f"{n}: TLS terminates at the load balancer in prod\n", self.env_file(app, "prod"))
            self.expect("exposure/missing-tls", prod_file, "planted", "prod ingress with tls: []")
            self.expect("parity/drift", stage_file, "consequence", "ingress.tls presence: stage on, prod off")
        elif what == "missing_ingress":
            app.prod_ingress = False
            s.commit(self.when(s), h, f"{n}: prod is internal only\n", self.env_file(app, "prod"))
            self.expect("exposure/missing-ingress", prod_file, "planted", "prod ingress.enabled false, stage true")
            self.expect("parity/drift", stage_file, "consequence", "ingress.enabled: stage true, prod false")
        elif what == "autosync_prod":
            app.argo["prod"].update(automated=True, revision="main")
            s.commit(self.when(s), h, f"argocd: auto-sync {n}-prod\n", {prod_app: argo_app(app, "prod")})
            self.expect("argocd/auto-sync-prod", prod_app, "planted", "prod automated from main")
        elif what == "values_file":
            app.argo["prod"]["value_file"] = "values-stage.yaml"
            s.commit(self.when(s), h, f"argocd: {n}-prod reuses the stage values\n", {prod_app: argo_app(app, "prod")})
            self.expect("argocd/values-file", prod_app, "planted", "prod Application uses values-stage.yaml")
            self.expect("argocd/values-file", prod_file, "planted", "values-prod.yaml unused (warning)")
        elif what == "namespace":
            app.argo["prod"]["namespace"] = "stage"
            s.commit(self.when(s), h, f"argocd: move {n}-prod\n", {prod_app: argo_app(app, "prod")})
            self.expect("argocd/namespace", prod_app, "planted", "prod shares stage's namespace")
            self.expect("argocd/namespace", prod_app, "planted", "prod's namespace names another env")
        elif what == "source":
            app.argo["stage"].update(path=f"charts/{n}", value_file=f"../../apps/{n}/values-stage.yaml")
            fork = {f"charts/{n}/Chart.yaml": chart_yaml(app), f"charts/{n}/values.yaml": values_yaml(app)}
            fork.update({f"charts/{n}/templates/{k}": v for k, v in TEMPLATES.items()})
            s.commit(self.when(s), h, f"{n}: try the forked chart in stage\n", {**fork, stage_app: argo_app(app, "stage")})
            self.expect("argocd/source", stage_app, "planted", "stage deploys path charts/<app>, prod apps/<app>")
        elif what == "missing_env":
            app.has_stage = False
            s.commit(self.when(s), h, f"{n}: drop stage to save money\n", {stage_file: None, stage_app: None})
            self.expect("structure/missing-env", prod_app, "planted", "dev and prod, no stage")
        elif what == "yaml_syntax":
            app.dev_broken = True
            self.bump(s, app)
            self.expect("yaml/syntax", dev_file, "planted", "unclosed flow mapping")
        elif what == "duplicate_key":
            app.stage_duplicate_key = True
            s.commit(self.when(s), h, f"{n}: stage replicas\n", self.env_file(app, "stage"))
            self.expect("yaml/duplicate-key", stage_file, "planted", "replicaCount twice")
        else:
            raise ValueError(what)

    @staticmethod
    def plant_commits(what: str) -> int:
        return 3 if what == "untested_before" else 1

    # -- the whole history
    def run(self, out: IO[bytes], per_rule: int) -> dict[str, Any]:
        s = Stream(out)
        files: dict[str, str | None] = dict(SKELETON)
        files.update({f"docs/{t}.md": doc_text(t, 0, self.rng) for t in DOC_TOPICS})
        s.commit(self.when(s), self.human(), "Initial commit: repo skeleton\n", files)
        for app in self.apps:
            s.commit(self.when(s), self.human(), f"Add {app.name} ({app.team}) at build {tag_of(1)}\n", app_files(app))
        self.active = list(self.apps)
        # pick the apps for planted violations and the pre-commit scenario up front
        eligible = [a for a in self.apps if not a.pinned_prod]
        self.rng.shuffle(eligible)
        precommit = eligible.pop()
        plan: list[tuple[str, App]] = []
        if self.violations:
            for what in PLANTS:
                for _ in range(per_rule):
                    plan.append((what, eligible.pop()))
        planted_commits = sum(self.plant_commits(w) for w, _ in plan)
        ordinary = self.n_commits - s.commits - planted_commits - 2  # 2: the pre-commit app's set-up
        if ordinary < 0:
            raise SystemExit(f"--commits {self.n_commits} is too few for {self.n_apps} apps and "
                             f"{len(plan)} planted violations")
        every = max(1, ordinary // self.release_tags) if self.release_tags > 1 else 0
        for index in range(ordinary):
            self.step(s)
            if every and (index + 1) % every == 0 and (index + 1) // every < self.release_tags:
                s.tag_head(release_tag((index + 1) // every - 1))  # older releases on main's first-parent line
        # the pre-commit scenario: stage runs a newer build than prod, ready to be promoted by hand
        if precommit.tag("stage") == precommit.tag("prod"):
            if precommit.tag("dev") == precommit.tag("stage"):
                self.bump(s, precommit)
            self.promote(s, [precommit], "dev", "stage")
        for what, app in plan:
            self.plant(s, what, app)
        # fill up to exactly --commits (the pre-commit set-up may have needed fewer)
        while s.commits < self.n_commits:
            self.unrelated(s)
        s.tag_head(RELEASE_TAG if self.release_tags <= 1 else release_tag(self.release_tags - 1))
        return {"commits": s.commits, "stream_bytes": s.bytes, "precommit": precommit, "plan": plan}


def generate(apps: int, commits: int, out: Path, seed: int, violations: bool = True,
             per_rule: int | None = None, release_tags: int = 1) -> dict[str, Any]:
    per_rule = per_rule if per_rule is not None else (1 if apps < 50 else 3 if apps < 500 else 5)
    repo = out / "repo"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    started = time.perf_counter()
    env = {"LC_ALL": "C", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(out)}
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True, env=env)
    gen = Generator(apps, commits, seed, violations, release_tags)
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE, env=env)
    assert proc.stdin is not None
    try:
        info = gen.run(proc.stdin, per_rule)
        proc.stdin.write(b"done\n")
    finally:
        proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    imported = time.perf_counter()
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True, env=env)
    done = time.perf_counter()
    pre = info["precommit"]
    files = subprocess.run(["git", "-C", str(repo), "ls-files"], check=True, capture_output=True,
                           env=env).stdout.count(b"\n")
    meta = {
        "apps": apps, "commits": info["commits"], "seed": seed, "violations": violations,
        "per_rule": per_rule if violations else 0, "files": files, "stream_bytes": info["stream_bytes"],
        "seconds": {"fast_import": round(imported - started, 2), "checkout": round(done - imported, 2)},
        "history_mix": gen.kind_counts,
        "precommit": {"app": pre.name, "file": f"apps/{pre.name}/values-prod.yaml", "prod_tag": pre.tag("prod"),
                      "stage_tag": pre.tag("stage")},
        "planted": [{"what": w, "app": a.name} for w, a in info["plan"]],
        "release_tag": RELEASE_TAG,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    lines = ["# rule\tpath\tkind\tnote",
             "# kind: planted = a violation put there on purpose; consequence = a finding the design",
             "# says the planted change must also cause (not counted as unexpected when present)"]
    lines += ["\t".join(row) for row in sorted(gen.expected)]
    (out / "expected-findings.txt").write_text("\n".join(lines) + "\n")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", type=int, required=True)
    parser.add_argument("--commits", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="writes OUT/repo, OUT/expected-findings.txt, OUT/meta.json")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-rule", type=int, default=None,
                        help="planted violations per kind (default: 1 below 50 apps, 3 below 500, else 5)")
    parser.add_argument("--no-violations", action="store_true", help="a clean history: must lint with no finding")
    parser.add_argument("--release-tags", type=int, default=1,
                        help="pinned prod apps spread over N release tags cut along main (real teams: one per release)")
    args = parser.parse_args(argv)
    meta = generate(args.apps, args.commits, args.out, args.seed, violations=not args.no_violations,
                    per_rule=args.per_rule, release_tags=args.release_tags)
    print(f"{args.out}/repo: {meta['apps']} apps, {meta['commits']} commits, {meta['files']} files, "
          f"{meta['stream_bytes'] / 2**20:.1f} MiB stream, fast-import {meta['seconds']['fast_import']} s, "
          f"checkout {meta['seconds']['checkout']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
