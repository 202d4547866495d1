"""Effective values in Helm/Argo CD precedence, with the origin of every value."""
from __future__ import annotations

from gitops_lint.model import Origin
from gitops_lint.values import Layer, effective, merge, parameters_to_values


def test_maps_merge_lists_replace_null_deletes() -> None:
    base = {"a": {"x": 1, "y": 2}, "l": [1, 2], "gone": {"k": 1}}
    over = {"a": {"y": 3}, "l": [9], "gone": None}
    assert merge(base, over) == {"a": {"x": 1, "y": 3}, "l": [9]}
    assert base == {"a": {"x": 1, "y": 2}, "l": [1, 2], "gone": {"k": 1}}  # inputs untouched


def test_origin_is_the_last_layer_that_sets_the_key() -> None:
    values = effective([
        Layer("chart/values.yaml", 0, (), {"resources": {"requests": {"cpu": "1"}}, "image": {"tag": ""}}),
        Layer("chart/values-prod.yaml", 0, (), {"resources": {"limits": {"cpu": "2"}}, "image": {"tag": "17"}}),
        Layer("argocd/app.yaml", 0, ("spec", "source", "helm", "valuesObject"), {"image": {"tag": "18"}}),
    ])
    assert values.data == {"resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "2"}}, "image": {"tag": "18"}}
    assert values.origin(("resources", "requests", "cpu")) == Origin("chart/values.yaml", ("resources", "requests", "cpu"))
    assert values.origin(("resources", "limits", "cpu")) == Origin("chart/values-prod.yaml", ("resources", "limits", "cpu"))
    assert values.origin(("image", "tag")) == Origin(
        "argocd/app.yaml", ("spec", "source", "helm", "valuesObject", "image", "tag"))
    # a key no layer sets points at its deepest parent in the latest layer that has it
    assert values.origin(("resources", "limits", "memory")) == Origin("chart/values-prod.yaml", ("resources", "limits"))


def test_helm_parameters_use_set_syntax() -> None:
    tree, paths = parameters_to_values((("image.tag", "17"), (r"annotations.a\.b", "x"),
                                        ("hosts[1].name", "h"), ("on", "true"), ("zip", "007")))
    assert tree == {"image": {"tag": 17}, "annotations": {"a.b": "x"}, "hosts": [None, {"name": "h"}],
                    "on": True, "zip": "007"}
    assert paths[2] == ("hosts", 1, "name")
