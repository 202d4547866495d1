"""The disk cache: content-addressed, outside the repo, never changes an answer, survives damage."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gitops_lint.cli import main


def _report(root: Path, cache: Path | str, *extra: str) -> tuple[int, dict[str, object]]:
    result = CliRunner(env={"GITOPS_LINT_CACHE_DIR": str(cache)}).invoke(
        main, ["check", str(root), "--format", "json", *extra])
    return result.exit_code, json.loads(result.stdout)




def test_warm_runs_answer_exactly_like_cold_ones(bad_demo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = _report(bad_demo, "off")
    first = _report(bad_demo, cache)
    assert sorted(p.name for p in cache.iterdir()) != []  # it wrote something
    warm = _report(bad_demo, cache)
    assert cold == first == warm
    # a working-tree edit is new content: parsed afresh, answered afresh
    values = bad_demo / "manual-app-helm" / "values-prod.yaml"
    values.write_text(values.read_text().replace('tag: "17"', 'tag: "16"'))
    assert _report(bad_demo, cache) == _report(bad_demo, "off")


def test_the_cache_is_never_written_into_the_repo(bad_demo: Path, tmp_path: Path) -> None:
    before = sorted(str(p.relative_to(bad_demo)) for p in bad_demo.rglob("*") if ".git" not in p.parts)
    _report(bad_demo, tmp_path / "cache")
    after = sorted(str(p.relative_to(bad_demo)) for p in bad_demo.rglob("*") if ".git" not in p.parts)
    assert before == after


def test_a_damaged_cache_is_ignored_and_rewritten(bad_demo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = _report(bad_demo, cache)
    for stored in cache.iterdir():
        stored.write_bytes(b"\x00not marshal")
    assert _report(bad_demo, cache) == expected
    assert _report(bad_demo, cache) == expected


def test_no_cache_flag_reads_and_writes_nothing(bad_demo: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _report(bad_demo, cache, "--no-cache")
    assert not cache.exists()


def test_cache_directory_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from gitops_lint.cache import default_dir

    monkeypatch.setenv("GITOPS_LINT_CACHE_DIR", "off")
    assert default_dir() is None
    monkeypatch.delenv("GITOPS_LINT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_dir() == tmp_path / "gitops-lint"
    assert os.environ["XDG_CACHE_HOME"] == str(tmp_path)


def test_entries_of_another_version_of_the_linter_are_never_read(tmp_path: Path, monkeypatch: Any) -> None:
    """Found by the fuzz run: a cache written by an older gitops-lint served its old parse results."""
    from gitops_lint import cache

    store = cache.DiskCache(tmp_path / "cache", "repo-x")
    store.put("y:abc", ("ok", [{"a": 1}], []))
    store.save()
    assert cache.DiskCache(tmp_path / "cache", "repo-x").get("y:abc") == ("ok", [{"a": 1}], [])
    monkeypatch.setattr(cache, "code_digest", lambda: "another-version")
    assert cache.DiskCache(tmp_path / "cache", "repo-x").get("y:abc") is None
