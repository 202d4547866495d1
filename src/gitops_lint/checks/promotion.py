"""promotion/*: the image stage tested is the image prod runs (current state)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gitops_lint import images as images_mod
from gitops_lint.checks import CheckKind, Hit
from gitops_lint.model import Deployment, Image, Origin
from gitops_lint.repo import RepoModel
from gitops_lint.yamlio import format_keypath


def _fields(dep: Deployment, image: Image, **extra: Any) -> dict[str, Any]:
    return {"env": dep.env.name, "app": dep.app, "image": image.ref, "tag": image.tag or "(empty)",
            "key": format_keypath(image.keypath) or "image",
            "file": image.tag_origin.path if image.tag_origin else dep.own_file, **extra}


def rebuilt_image(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    env_words = model.scheme.words()
    for up, dep in model.pairs():
        upstream = {image.keypath: image for image in model.images(up)}
        for image in model.images(dep):
            before = upstream.get(image.keypath)
            if before is None:
                continue
            fields = _fields(dep, image, up_env=up.env.name, up_image=before.ref)
            anchor = f"{format_keypath(image.keypath)}"
            if images_mod.normalized_name(image) != images_mod.normalized_name(before):
                where = _key_origin(model, dep, image, "registry") if image.registry != before.registry \
                    else image.repo_origin
                yield Hit("repository", where or image.repo_origin, dep.app, dep.env.name,
                          {**fields, "name": image.name, "up_name": before.name}, anchor + ":repository")
                continue
            word = images_mod.env_named_tag(image.tag, env_words)
            if word and image.tag != before.tag:
                yield Hit("env-tag", image.tag_origin, dep.app, dep.env.name, {**fields, "word": word},
                          anchor + ":env-tag")
            elif image.tag == before.tag and image.digest and before.digest and image.digest != before.digest:
                yield Hit("digest", _key_origin(model, dep, image, "digest") or image.tag_origin, dep.app,
                          dep.env.name, {**fields, "digest": image.digest, "up_digest": before.digest},
                          anchor + ":digest")
        if model.history is not None:
            yield from _digest_history(model, up, dep)


def _key_origin(model: RepoModel, dep: Deployment, image: Image, key: str) -> Origin | None:
    """Where a mapping image sets `key` (`registry`, `digest`), when it sets it."""
    if image.kind != "mapping":
        return None
    values = model.effective(dep)
    return values.origin(image.keypath + (key,)) if values.get(image.keypath + (key,)) is not None else None


def _digest_history(model: RepoModel, up: Deployment, dep: Deployment) -> Iterator[Hit]:
    """The same tag with a digest upstream never had for it, at any time in its history."""
    if not any(image.digest and image.tag for image in model.images(dep)):
        return  # nothing pinned: no need to read the upstream's history
    seen: dict[tuple[str, str], set[str]] = {}
    for state in model.timeline(up).states:
        for ref in state.images:
            if ref.tag and ref.digest:
                seen.setdefault((ref.keypath, ref.tag), set()).add(ref.digest)
    upstream_now = {image.keypath: image for image in model.images(up)}
    for image in model.images(dep):
        key = (format_keypath(image.keypath), image.tag)
        digests = seen.get(key, set())
        now = upstream_now.get(image.keypath)
        if not image.digest or not digests or image.digest in digests:
            continue
        if now is not None and now.tag == image.tag:
            continue  # same tag now: the current-state comparison above reports it
        yield Hit("digest-history", image.tag_origin, dep.app, dep.env.name, {
            **_fields(dep, image, up_env=up.env.name, up_image=now.ref if now else "?"),
            "digest": image.digest, "up_digests": ", ".join(sorted(digests)),
        }, f"{format_keypath(image.keypath)}:digest-history")


def mutable_tag(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    extra = frozenset(t.lower() for t in params.get("extra_tags", ()))
    allowed = frozenset(t.lower() for t in params.get("allow_tags", ()))
    for dep in model.deployments():
        for image in model.images(dep):
            tag = image.tag.lower()
            if image.digest or tag in allowed:
                continue
            if image.kind == "chart" and (not tag or is_version_range(image.tag)):  # a chart version constraint
                yield Hit("chart-unpinned" if not tag else "chart-range", image.tag_origin or image.repo_origin,
                          dep.app, dep.env.name, {**_fields(dep, image), "chart": image.name},
                          anchor=format_keypath(image.keypath), protected=dep.env.protected)
                continue
            if not tag:
                case = "empty"
            elif tag in images_mod.MUTABLE_TAGS or tag in extra:
                case = "default"
            elif images_mod.is_placeholder(image.tag):
                case = "placeholder"
            else:
                continue
            yield Hit(case, image.tag_origin or image.repo_origin, dep.app, dep.env.name, _fields(dep, image),
                      anchor=format_keypath(image.keypath), protected=dep.env.protected)


def is_version_range(text: str) -> bool:
    """A semver constraint that admits more than one version (`>=1.0.0`, `6.x`, `^1`, `~1.2`, `*`, `1.2`),
    as Helm and Flux read one; an exact version (`1.2.3`, `v1.2.3-rc.1`, `=1.2.3`) is not a range."""
    import semantic_version

    exact = text.strip().removeprefix("=").strip()
    try:
        semantic_version.Version(exact[1:] if exact[:1] in "vV" else exact)
    except ValueError:
        return True
    return False


KINDS = (
    CheckKind("image-rebuild", rebuilt_image, {"type": "object", "additionalProperties": False},
              "Compares the images of adjacent envs of one app, key by key (and digests over history, when "
              "history is available).", uses_history=True),
    CheckKind("mutable-tag", mutable_tag, {
        "type": "object", "additionalProperties": False,
        "properties": {
            "extra_tags": {"type": "array", "items": {"type": "string"},
                           "description": "More tags to treat as mutable (e.g. your branch names)."},
            "allow_tags": {"type": "array", "items": {"type": "string"},
                           "description": "Tags from the built-in list that you accept."},
        },
    }, "Flags images pinned to a tag that can move without a commit."),
)
