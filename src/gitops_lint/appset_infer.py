"""Stand-in clusters read from an ApplicationSet's own selectors, for a repository that defines no
Argo CD cluster Secret and whose .gitops-lint.yaml declares none.

Addon ApplicationSets (gitops-bridge, EKS Blueprints) pick each env's clusters by a label
(`matchLabels: {environment: prod}`) and pin per-env values there, while the cluster Secrets are made
by Terraform outside the repository. Those selectors are the repository's own statement of which envs
exist: one stand-in cluster per env value they name, labelled so that every selector written for it
matches. What a real Secret would add is not known and is never invented: the stand-in is named
after its env (`staging`), its server is `<staging cluster>`, and each annotation or label the
ApplicationSet reads that no selector sets keeps its own name as a placeholder
(`<metadata.annotations.addons_repo_url>`), which is never this repository, so nothing that
depends on it (the values repo, its revision, its paths) is judged as if it were known.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple

from gitops_lint.appset_repo import Cluster, scalars

MAX_WALK = 64  # generators looked at (matrix/merge children included)
MAX_NAMES = 200  # placeholder annotation/label names read from the templates
MAX_VALUES = 100  # values of one `In` expression looked at
INFERRED_FROM = "the selectors of its clusters generators"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./")


class Inferred(NamedTuple):
    key: str  # the label that names the env (`environment`)
    clusters: list[Cluster]


def stand_ins(spec: dict[Any, Any], env_words: frozenset[str]) -> Inferred | None:
    """One stand-in cluster per env an ApplicationSet's clusters selectors name; None when no label
    of theirs names envs only (then nothing is inferred)."""
    selectors = _selectors(spec.get("generators"))
    key, envs = _env_label(selectors, env_words)
    if key is None:
        return None
    placeholders = _read_names(spec)
    clusters = []
    for env in envs:
        labels = {key: env}
        for pairs, exists in selectors:
            if key in pairs and env not in pairs[key]:
                continue  # written for another env's clusters
            for name, values in pairs.items():
                labels.setdefault(name, values[0])
            for name in exists:
                labels.setdefault(name, "true")
        annotations = {}
        for kind, name in placeholders:
            if kind == "annotations":
                annotations[name] = placeholder("annotations", name)
            else:
                labels.setdefault(name, placeholder("labels", name))
        clusters.append(Cluster(env, f"<{env} cluster>", "", labels, annotations, INFERRED_FROM))
    return Inferred(key, clusters)


Selector = tuple[dict[str, list[str]], list[str]]  # label -> values it may have (matchLabels, In); Exists keys


def placeholder(kind: str, name: str) -> str:
    """What a stand-in cluster has for a label or annotation no selector sets: its own name, in a
    form that stays a plain YAML scalar inside `helm.values` text and is never a repoURL of this
    repository (`<metadata.annotations.addons_repo_url>`)."""
    return f"<metadata.{kind}.{name}>"


def is_unknown(text: str) -> bool:
    """A rendered value that holds a stand-in cluster's placeholder."""
    return "<metadata." in text


def _selectors(generators: Any) -> list[Selector]:
    """The label selectors of every clusters generator, nested ones too."""
    found: list[Selector] = []
    todo = [g for g in generators if isinstance(g, dict)] if isinstance(generators, list) else []
    seen = 0
    while todo and seen < MAX_WALK:
        generator = todo.pop(0)
        seen += 1
        for kind, body in generator.items():
            if not isinstance(body, dict):
                continue
            if kind == "clusters":
                found.append(_read_selector(body.get("selector")))
            elif kind in ("matrix", "merge") and isinstance(body.get("generators"), list):
                todo.extend(g for g in body["generators"] if isinstance(g, dict))
    return found


def _read_selector(raw: Any) -> Selector:
    pairs: dict[str, list[str]] = {}
    exists: list[str] = []
    if not isinstance(raw, dict):
        return pairs, exists
    for name, value in scalars(raw.get("matchLabels")).items():
        pairs[name] = [value]
    expressions = raw.get("matchExpressions")
    for expression in expressions if isinstance(expressions, list) else ():
        if not isinstance(expression, dict) or not isinstance(expression.get("key"), str):
            continue
        name, operator, values = expression["key"], expression.get("operator"), expression.get("values")
        if operator == "In" and isinstance(values, list):
            allowed = list(scalars({str(i): v for i, v in enumerate(values)}).values())
            if allowed and name not in pairs:
                pairs[name] = allowed
        elif operator == "Exists":
            exists.append(name)
    return pairs, exists


def _env_label(selectors: list[Selector], env_words: frozenset[str]) -> tuple[str | None, list[str]]:
    """The label whose selected values are all env names (the most of them wins), and those values
    in the order written."""
    values: dict[str, dict[str, None]] = {}  # label -> its values in the order written (a dict: no repeats)
    for pairs, _ in selectors:
        for name, allowed in pairs.items():
            seen = values.setdefault(name, {})
            for value in allowed[:MAX_VALUES]:
                seen.setdefault(value)
    candidates = [(len(vals), name) for name, vals in values.items()
                  if vals and all(v.lower() in env_words for v in vals)]
    if not candidates:
        return None, []
    best = min(candidates, key=lambda c: (-c[0], c[1]))[1]
    return best, list(values[best])


def _read_names(spec: dict[Any, Any]) -> list[tuple[str, str]]:
    """Annotation and label names the ApplicationSet reads (`metadata.annotations.addons_repo_url`),
    by a linear scan of its texts."""
    names: list[tuple[str, str]] = []
    for text in _texts(spec, 0):
        for kind in ("annotations", "labels"):
            mark = f"metadata.{kind}."
            pos = text.find(mark)
            while pos >= 0 and len(names) < MAX_NAMES:
                end = start = pos + len(mark)
                while end < len(text) and text[end] in _NAME_CHARS and text[end] != "}":
                    end += 1
                name = text[start:end].rstrip(".")
                if name and (kind, name) not in names:
                    names.append((kind, name))
                pos = text.find(mark, end)
    return names


def _texts(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        if "{{" in value:
            yield value
    elif depth < 64 and isinstance(value, dict):
        for item in value.values():
            yield from _texts(item, depth + 1)
    elif depth < 64 and isinstance(value, list):
        for item in value:
            yield from _texts(item, depth + 1)


def notice(stand_ins: list[tuple[str, Inferred]]) -> str | None:
    """One notice for every ApplicationSet modeled on stand-in clusters (`where` names each)."""
    if not stand_ins:
        return None
    sets = [where.split(": ApplicationSet ")[0] for where, _ in stand_ins]
    shown = ", ".join(sets[:3]) + (f" and {len(sets) - 3} more" if len(sets) > 3 else "")
    envs: dict[str, list[str]] = {}
    unknown: Counter[str] = Counter()
    for _, inferred in stand_ins:
        named = envs.setdefault(inferred.key, [])
        named.extend(c.name for c in inferred.clusters if c.name not in named)  # a stand-in is named after its env
        unknown.update(inferred.clusters[0].annotations.keys())  # every annotation of a stand-in is a placeholder
    said = "; ".join(f"{key}: {', '.join(values)}" for key, values in envs.items())
    names = [name for name, _ in sorted(unknown.items(), key=lambda item: (-item[1], item[0]))]
    unknown_text = (f"name, server and annotations ({', '.join(names[:4])}{', …' if len(names) > 4 else ''})"
                    if names else "name and server")
    many = len(sets) > 1
    return (f"{len(sets)} ApplicationSet{'s' if many else ''} ({shown}) select{'' if many else 's'} Argo CD clusters "
            f"that neither the repository nor .gitops-lint.yaml defines; {'each' if many else 'it'} is modeled with "
            f"one stand-in cluster per env {'its' if many else 'the'} selectors name ({said}). A real cluster's "
            f"{unknown_text} are not known, so what they decide is not judged; declare the clusters under "
            "`clusters:` in .gitops-lint.yaml (docs/layouts.md)")
