"""Image references in values: find, parse, normalise, compare."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from gitops_lint.model import Image, KeyPath, Origin

MUTABLE_TAGS = frozenset({
    "latest", "main", "master", "develop", "development", "dev", "stable", "nightly", "edge",
    "snapshot", "head", "trunk", "canary", "next", "unstable", "release", "staging", "production",
})
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_TAG_ONLY_KEYS = ("image_tag", "imageTag")  # a tag with the repository set elsewhere (govuk's image-tags files)
_ENV_TAG_SUFFIXES = ("_DOCKER_TAG", "_IMAGE_TAG")  # `API_DOCKER_TAG: a15dd86`: helmfile/dotenv-style state values
_UPPER_SNAKE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_REF = re.compile(r"^[a-z0-9][a-z0-9._\-/:@]*$", re.I)


def find_images(data: Any, origin: Callable[[KeyPath], Origin | None] | None = None) -> list[Image]:
    """Every image the values define, by the conventions charts use.

    - a mapping with `repository` (and `registry`, `tag`, `digest`), anywhere;
    - a mapping under a key named `image`/`*Image` with `name` (and `tag`, `digest`);
    - a string under such a key: `registry/repo:tag@digest`;
    - Kustomize `images:` entries (`name`, `newName`, `newTag`, `digest`);
    - a bare `image_tag:`/`imageTag:`, or an upper-snake `<NAME>_DOCKER_TAG:`/`<NAME>_IMAGE_TAG:` (each key
      its own image), whose repository the chart knows (repository left empty).
    """
    found = [image for image in _walk(data, (), origin)]
    found.sort(key=lambda image: tuple(str(k) for k in image.keypath))
    return found


def _walk(node: Any, path: KeyPath, origin: Callable[[KeyPath], Origin | None] | None) -> Iterator[Image]:
    if isinstance(node, dict):
        image = _from_mapping(node, path, origin)
        if image is not None:
            yield image
            return
        for key, value in node.items():
            if not is_tag_only_key(key):
                continue
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
                where = origin(path + (key,)) if origin else None
                yield Image(path + (key,), "", "", _text(value), "", where, where, kind="tag")
        for key, value in node.items():
            if isinstance(value, str) and is_image_key(key):
                parsed = parse_ref(value)
                if parsed:
                    where = origin(path + (key,)) if origin else None
                    registry, repository, tag, digest = parsed
                    yield Image(path + (key,), registry, repository, tag, digest, where, where, kind="string")
            elif key == "images" and isinstance(value, list):
                yield from _kustomize(value, path + (key,), origin)
            elif isinstance(value, (dict, list)):
                yield from _walk(value, path + (key,), origin)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, (dict, list)):
                yield from _walk(item, path + (index,), origin)


def _kustomize(items: list[Any], path: KeyPath,
               origin: Callable[[KeyPath], Origin | None] | None) -> Iterator[Image]:
    """Kustomize `images: [{name, newName, newTag, digest}]`; entries without a tag or digest keep the
    base's tag, which is not known here, so they are skipped. Fields of another type are absent."""
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        tag, digest = _text(item.get("newTag")), _text(item.get("digest"))
        if not tag and not digest:
            continue
        here = path + (index,)
        new_name = _text(item.get("newName"))
        repository = new_name or item["name"]
        tag_key = "newTag" if tag else "digest"
        repo_key = "newName" if new_name else "name"
        yield Image(here, "", repository, tag, digest, origin(here + (tag_key,)) if origin else None,
                    origin(here + (repo_key,)) if origin else None, kind="kustomize")


def is_tag_only_key(key: Any) -> bool:
    """A key that holds only a tag, its repository set by the chart: `image_tag`, `imageTag`, or an
    env-variable style key (`is_env_tag_key`)."""
    return isinstance(key, str) and (key in _TAG_ONLY_KEYS or is_env_tag_key(key))


def is_env_tag_key(key: Any) -> bool:
    """`API_DOCKER_TAG`, `WORKER_IMAGE_TAG`: upper snake case with a name before the suffix (a bare
    `DOCKER_TAG` names no image). Each such key is its own image. String tests only, no regex."""
    if not isinstance(key, str):
        return False
    suffix = next((s for s in _ENV_TAG_SUFFIXES if key.endswith(s)), None)
    return suffix is not None and len(key) > len(suffix) and key[0] != "_" and set(key) <= _UPPER_SNAKE


def is_image_key(key: Any) -> bool:
    return isinstance(key, str) and (key == "image" or key.endswith("Image") or key.endswith("_image"))


def _from_mapping(node: dict[Any, Any], path: KeyPath,
                  origin: Callable[[KeyPath], Origin | None] | None) -> Image | None:
    repo_key = "repository" if isinstance(node.get("repository"), str) else None
    if repo_key is None and path and is_image_key(path[-1]) and isinstance(node.get("name"), str):
        repo_key = "name"
    if repo_key is None or not node[repo_key] or not _REF.match(node[repo_key]) or "://" in node[repo_key]:
        return None
    registry = _text(node.get("registry"))
    repository = str(node[repo_key])
    tag = _text(node.get("tag"))
    digest = _text(node.get("digest") or node.get("sha") or "")
    if tag and "@" in tag:  # tag: "15@sha256:..."
        tag, _, inline_digest = tag.partition("@")
        digest = digest or inline_digest
    if not tag and not digest and ":" in repository.rsplit("/", 1)[-1]:
        parsed = parse_ref(repository)  # repository: "app:15"
        if parsed:
            _, repository, tag, digest = parsed
    tag_key = "tag" if "tag" in node else ("digest" if "digest" in node else repo_key)
    return Image(
        keypath=path, registry=registry, repository=repository, tag=tag, digest=digest,
        tag_origin=origin(path + (tag_key,)) if origin else None,
        repo_origin=origin(path + (repo_key,)) if origin else None,
    )


def _text(value: Any) -> str:
    """A scalar as text; a mapping or list where text belongs counts as not set."""
    if value is None or value is False or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_ref(text: str) -> tuple[str, str, str, str] | None:
    """`registry/repo:tag@sha256:...` -> (registry '', repository, tag, digest), or None."""
    text = text.strip()
    if not text or not _REF.match(text) or "://" in text:
        return None
    name, _, digest = text.partition("@")
    if digest and not _DIGEST.match(digest):
        return None
    tag = ""
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        name, tag = name[:colon], name[colon + 1:]
    if not name:
        return None
    return "", name, tag, digest


def normalized_name(image: Image) -> str:
    """Docker Hub spellings folded: `docker.io/library/nginx` == `nginx`."""
    name = image.name.lower()
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name.startswith("library/"):
        name = name[len("library/"):]
    return name


def with_app_version(found: list[Image], version: str | None, where: Origin | None = None) -> list[Image]:
    """An empty `image.tag` (mapping images only) means the chart's appVersion, as charts made by
    `helm create` do (`.Values.image.tag | default .Chart.AppVersion`)."""
    if not version:
        return found
    return [image._replace(tag=version, tag_origin=where or image.tag_origin)
            if not image.tag and not image.digest and image.kind == "mapping" else image for image in found]


_PLACEHOLDER = re.compile(r"[<>{}$]|^[A-Za-z]+(?:_[A-Za-z]+)+$")


def is_placeholder(tag: str) -> bool:
    """`app_version`, `${IMAGE_TAG}`, `<tag>`: a stand-in that CI replaces at deploy time."""
    return bool(_PLACEHOLDER.search(tag))


def env_named_tag(tag: str, env_words: frozenset[str]) -> str | None:
    """The env word inside a tag like `15-prod` or `stage-15`, or None."""
    for word in re.split(r"[^a-z0-9]+", tag.lower()):
        if word in env_words:
            return word
    return None
