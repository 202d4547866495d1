"""The YAML loader: positions, duplicate keys, merge keys, and every refusal with its location."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitops_lint import yamlio
from gitops_lint.errors import YamlProblem
from gitops_lint.model import Position


def test_positions_of_keys_and_values() -> None:
    doc = yamlio.load_text('image:\n  tag: "17"\nlist:\n  - a\n  - b: 1\n', "v.yaml").docs[0]
    assert doc.data == {"image": {"tag": "17"}, "list": ["a", {"b": 1}]}
    assert doc.positions[("image", "tag")] == (Position(2, 3), Position(2, 8))
    assert doc.positions[("list", 1, "b")] == (Position(5, 5), Position(5, 8))


def test_duplicate_key_is_reported_at_the_repeat_and_last_wins() -> None:
    loaded = yamlio.load_text("image:\n  tag: '15'\n  tag: '16'\n", "v.yaml")
    assert loaded.data == {"image": {"tag": "16"}}
    [problem] = loaded.problems
    assert (problem.rule, problem.line, problem.column) == ("yaml/duplicate-key", 3, 3)
    assert problem.message == ("key 'tag' is repeated (first at line 2); tools disagree on which one wins "
                               "(Helm and Argo CD silently keep the last)")


def test_merge_keys_and_redefined_anchors() -> None:
    text = "a: &x {cpu: 1, mem: 2}\nb:\n  <<: *x\n  mem: 3\nc: &x 5\nd: *x\n"
    assert yamlio.load_text(text, "v.yaml").data == {"a": {"cpu": 1, "mem": 2}, "b": {"cpu": 1, "mem": 3},
                                                     "c": 5, "d": 5}


def test_scalars_follow_yaml_1_2_and_unknown_tags_stay_text() -> None:
    data = yamlio.load_text("a: yes\nb: 0x1F\nc: 1.5\nd: ~\ne: !Ref thing\nf: 2024-01-01\n", "v.yaml").data
    assert data == {"a": "yes", "b": 31, "c": 1.5, "d": None, "e": "thing", "f": "2024-01-01"}


def test_syntax_error_has_a_position() -> None:
    with pytest.raises(YamlProblem) as caught:
        yamlio.load_text("image: {tag: 15\n", "v.yaml")
    assert (caught.value.rule, caught.value.line, caught.value.column) == ("yaml/syntax", 2, 1)
    assert caught.value.message.startswith("cannot parse YAML: ")


def test_non_utf8_names_the_byte_and_position(tmp_path: Path) -> None:
    (tmp_path / "v.yaml").write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(YamlProblem) as caught:
        yamlio.load_file(tmp_path, "v.yaml")
    assert (caught.value.rule, caught.value.line, caught.value.column) == ("yaml/syntax", 2, 7)
    assert caught.value.message == "not UTF-8 text: byte 0xe9 cannot be decoded"


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(YamlProblem) as caught:
        yamlio.load_text("\n".join(lines) + "\n", "v.yaml")
    assert caught.value.rule == "yaml/unsafe"
    assert "aliases expand to more than 100000 nodes" in caught.value.message


def test_alias_cycle_is_refused() -> None:
    with pytest.raises(YamlProblem) as caught:
        yamlio.load_text("a: &a [1, *a]\n", "v.yaml")
    assert caught.value.rule == "yaml/unsafe"


@pytest.mark.parametrize("depth", [70, 5000])
def test_deep_nesting_is_refused(depth: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        yamlio.load_text("a: " + "[" * depth + "]" * depth + "\n", "v.yaml")
    assert caught.value.rule == "yaml/unsafe"


def test_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    (tmp_path / "v.yaml").write_text("a: " + "x" * 200 + "\n")
    with pytest.raises(YamlProblem) as caught:
        yamlio.load_file(tmp_path, "v.yaml", limits=yamlio.Limits(max_bytes=100))
    assert caught.value.message == "refused: the file is 204 bytes, over the 100-byte limit"


def test_symlink_out_of_the_repo_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.yaml"
    outside.write_text("password: hunter2\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(outside, repo / "values-prod.yaml")
    with pytest.raises(YamlProblem) as caught:
        yamlio.load_file(repo, "values-prod.yaml")
    assert caught.value.rule == "yaml/unsafe"
    assert caught.value.message.startswith("refused: the symlink leads outside the repository")


def test_symlink_inside_the_repo_is_followed(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("a: 1\n")
    os.symlink(tmp_path / "base.yaml", tmp_path / "values-prod.yaml")
    assert yamlio.load_file(tmp_path, "values-prod.yaml").data == {"a": 1}


def test_format_keypath() -> None:
    assert yamlio.format_keypath(("a", "b.c", 0, "d")) == 'a."b.c"[0].d'
