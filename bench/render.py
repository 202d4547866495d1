#!/usr/bin/env python3
"""Seconds per render (one app × env) with the real backends: cold, cold without the worker, warm.

    .venv/bin/python bench/render.py                       # 20 Helm apps + 20 Kustomize apps × 3 envs
    .venv/bin/python bench/render.py --apps 50 --commit    # read the files from a commit (GitTree)

Measured, per backend, over every app × env pair:
  cold            no cache; the one persistent worker renders every pair (its start included once)
  cold/spawn      no cache; a fresh worker process per render (what the pool saves)
  warm            the same renders again through a warm DiskCache: plan (read + hash the files
                  through the snapshot) and one cache lookup; no worker involved
The target is warm <= 0.1 s per app × env.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gitops_lint.cache import DiskCache
from gitops_lint.render import Options, RenderRequest, pool, render
from gitops_lint.snapshot import GitTree, Snapshot, WorkTree

ENVS = ("dev", "stage", "prod")

TEMPLATES = {
    "_helpers.tpl": '{{- define "app.labels" -}}\napp: {{ .Chart.Name }}\nrelease: {{ .Release.Name }}\n{{- end }}\n',
    "deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n"
        "    {{- include \"app.labels\" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n"
        "  template:\n    spec:\n      containers:\n        - name: app\n"
        "          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n"
        "          resources: {{- toYaml .Values.resources | nindent 12 }}\n"),
    "service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports: [{port: 80}]\n",
    "ingress.yaml": (
        "{{- if .Values.ingress.enabled }}\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n"
        "  name: {{ .Release.Name }}\nspec:\n  tls: [{hosts: [{{ .Values.ingress.host | quote }}]}]\n{{- end }}\n"),
    "hpa.yaml": (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  minReplicas: {{ .Values.replicas }}\n  maxReplicas: {{ mul .Values.replicas 3 }}\n"),
    "configmap.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n"
        "{{- range $k, $v := .Values.config }}\n  {{ $k }}: {{ $v | quote }}\n{{- end }}\n"),
    "pdb.yaml": "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {{ .Release.Name }}\n",
}


def generate(root: Path, apps: int) -> list[RenderRequest]:
    requests = []
    for n in range(apps):
        chart = f"apps/helm-{n:03}"
        write(root, f"{chart}/Chart.yaml", f"apiVersion: v2\nname: helm-{n:03}\nversion: 1.0.{n}\n")
        write(root, f"{chart}/values.yaml",
              f"image: {{repository: registry.example.com/team/app-{n}, tag: '1.0.0'}}\nreplicas: 2\n"
              "resources: {requests: {cpu: 100m, memory: 128Mi}}\ningress: {enabled: false, host: ''}\n"
              + "config:\n" + "".join(f"  key{i}: value{i}\n" for i in range(20)))
        for name, text in TEMPLATES.items():
            write(root, f"{chart}/templates/{name}", text)
        base = f"apps/kust-{n:03}/base"
        write(root, f"{base}/kustomization.yaml", "resources: [deployment.yaml, service.yaml]\n")
        write(root, f"{base}/deployment.yaml",
              f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: kust-{n}}}\nspec:\n  template:\n"
              f"    spec:\n      containers: [{{name: app, image: registry.example.com/team/kust-{n}:1.0.0}}]\n")
        write(root, f"{base}/service.yaml", f"apiVersion: v1\nkind: Service\nmetadata: {{name: kust-{n}}}\n")
        for rank, env in enumerate(ENVS):
            overlay = f"apps/kust-{n:03}/overlays/{env}"
            write(root, f"{overlay}/kustomization.yaml",
                  f"namespace: {env}\nresources: [../../base]\n"
                  f"images: [{{name: registry.example.com/team/kust-{n}, newTag: '1.0.{rank}'}}]\n")
            layer: dict[str, Any] = {"image": {"tag": f"1.0.{rank}"}, "replicas": rank + 1,
                                     "ingress": {"enabled": env == "prod", "host": f"app-{n}.example.com"}}
            requests.append(RenderRequest("helm", chart, release=f"helm-{n:03}-{env}", namespace=env,
                                          values=(layer,)))
            requests.append(RenderRequest("kustomize", overlay, namespace=env))
    return requests


def write(root: Path, relpath: str, text: str) -> None:
    target = root / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def timed(snapshot: Snapshot, requests: list[RenderRequest], *, cache: DiskCache | None,
          spawn: bool = False) -> float:
    started = time.perf_counter()
    for request in requests:
        rendered = render(snapshot, request, cache=cache, options=Options(timeout=60))
        if rendered.error or not rendered.objects:
            sys.exit(f"{request.kind} {request.path}: {rendered.error or 'no objects'}")
        if spawn:
            pool.close_all()  # the next render starts (and loads) a new worker
    return (time.perf_counter() - started) / len(requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps", type=int, default=20, help="apps per backend (each × 3 envs)")
    parser.add_argument("--spawn-sample", type=int, default=12, help="renders measured in cold/spawn mode")
    parser.add_argument("--commit", action="store_true", help="read through GitTree(HEAD), not the work tree")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gitops-lint-bench-render-") as tmp:
        root = Path(tmp) / "repo"
        requests = generate(root, args.apps)
        snapshot: Snapshot = WorkTree(root)
        if args.commit:
            for step in (["init", "-q", "-b", "main"], ["add", "-A"],
                         ["-c", "user.name=b", "-c", "user.email=b@example.invalid", "commit", "-qm", "x"]):
                subprocess.run(["git", "-C", str(root), *step], check=True)
            snapshot = GitTree(root, "commit", "HEAD")
        print(f"{args.apps} apps × {len(ENVS)} envs per backend, files read through {snapshot.label}")
        print(f"{'backend':<10} {'cold':>9} {'cold/spawn':>11} {'warm':>9}   seconds per render")
        for kind in ("helm", "kustomize"):
            mine = [r for r in requests if r.kind == kind]
            pool.close_all()
            cold = timed(snapshot, mine, cache=None)
            spawn = timed(snapshot, mine[: args.spawn_sample], cache=None, spawn=True)
            cache = DiskCache(Path(tmp) / "cache")
            timed(snapshot, mine, cache=cache)  # fills the cache
            warm = timed(snapshot, mine, cache=DiskCache(Path(tmp) / "cache"))
            print(f"{kind:<10} {cold:>9.4f} {spawn:>11.4f} {warm:>9.4f}")
        snapshot.close()
        pool.close_all()


if __name__ == "__main__":
    main()
