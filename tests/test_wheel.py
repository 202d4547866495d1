"""The built wheel carries the rules: install it non-editably into a fresh venv and run it."""
from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_wheel_installs_and_runs_with_its_rules(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    [wheel] = dist.glob("gitops_lint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "gitops_lint/rules/parity/drift.yaml" in names
    assert "gitops_lint/schemas/config.schema.json" in names
    assert "gitops_lint/demo/manual-app.yaml" in names
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True)
    proc = subprocess.run([str(env_dir / "bin" / "gitops-lint"), "rules"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == len(list((ROOT / "rules").glob("*/*.yaml")))
    assert proc.stdout.splitlines()[0].startswith("argocd/auto-sync-prod")
    demo = subprocess.run([str(env_dir / "bin" / "gitops-lint"), "demo", str(tmp_path / "demo")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "FAIL  5 errors" in demo.stdout
