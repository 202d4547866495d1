"""promotion/untested-tag and promotion/soak-time: prod only runs what stage ran first, from git."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from gitops_lint.checks import CheckKind, Hit
from gitops_lint.images import is_env_tag_key
from gitops_lint.timeline import PROPOSED, ImageRef, State, Timeline, arrival, before, first_holding, held_before
from gitops_lint.model import Deployment, Origin
from gitops_lint.repo import RepoModel
from gitops_lint.yamlio import format_keypath

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_LISTED = 6


def _when(state: State, *, precise: bool = False) -> str:
    """`commit 03ed5de436 (2026-05-05 08:37:57 UTC)`, or the date alone when not precise."""
    if state.commit == PROPOSED:
        return state.label
    stamp = datetime.fromtimestamp(state.time, tz=timezone.utc)
    if not precise:
        return stamp.strftime("%Y-%m-%d")
    return f"commit {state.commit[:10]} ({stamp.strftime('%Y-%m-%d %H:%M:%S UTC')})"


_CHART_VERSION_KEYS = ("targetRevision", "chart.spec.version", "spec.ref.tag", "spec.ref.semver")


def shown_image(image: ImageRef, app: str) -> str:
    if not image.name and not image.digest and is_env_tag_key(image.keypath.rsplit(".", 1)[-1]):
        return f"{image.keypath} {image.tag}"  # `API_DOCKER_TAG a15dd86`: the key names the image
    if image.name and image.keypath.endswith(_CHART_VERSION_KEYS):
        return f"chart {image.name} {image.tag}"  # an Application's or a HelmRelease's chart version
    base = image.name or app
    return f"{base}@{image.digest}" if image.digest and not image.tag else \
        f"{base}:{image.tag}" + (f"@{image.digest}" if image.digest else "")


def version_of(image: ImageRef) -> str:
    return image.tag or image.digest


def _short(version: str) -> str:
    """Long commit-SHA tags shortened in lists (the finding still names the full one)."""
    return f"{version[:12]}…" if len(version) > 20 and all(c in "0123456789abcdef" for c in version) else version


def _ran(timeline: Timeline, keypath: str) -> str:
    seen: list[str] = []
    for state in timeline.states:
        for image in state.images:
            if image.keypath == keypath and version_of(image) not in seen:
                seen.append(version_of(image))
    if not seen:
        return "nothing"
    listed = [_short(v) for v in seen[-MAX_LISTED:]]
    return ("…, " if len(seen) > MAX_LISTED else "") + ", ".join(listed)


def image_location(model: RepoModel, dep: Deployment, image: ImageRef) -> Origin | None:
    for current in model.images(dep):
        if current.tag == image.tag and current.digest == image.digest:
            return current.tag_origin or current.repo_origin
    return Origin(dep.value_files[-1]) if dep.value_files else None


def is_mutable(image: ImageRef) -> bool:
    """Tags that name no build: promotion/mutable-tag reports those, history cannot judge them."""
    from gitops_lint.images import MUTABLE_TAGS, is_placeholder

    if image.digest:
        return False
    if not image.tag or image.tag.lower() in MUTABLE_TAGS or is_placeholder(image.tag):
        return True
    if image.name and image.keypath.endswith(_CHART_VERSION_KEYS):  # a chart version range (`1.x`, `>=6.0.0`)
        from gitops_lint.checks.promotion import is_version_range

        return is_version_range(image.tag)
    return False


def _moving_upstream(up_tl: Timeline, image: ImageRef, moment: State) -> bool:
    """The upstream ran this image by a mutable tag (`latest`) when it reached the env: the build it
    ran cannot be told from git, so `promotion/mutable-tag` is the finding, not this one."""
    for state in up_tl.newest():
        if before(state, moment) or state.commit == moment.commit:
            return runs_moving(state.images, image)
    return False


def runs_moving(images: tuple[ImageRef, ...], image: ImageRef) -> bool:
    """`images` (an upstream's, at some moment) run `image`'s key or repository by a mutable tag."""
    return any(is_mutable(other) and (other.keypath == image.keypath or bool(other.name and other.name == image.name))
               for other in images)


def running_keys(model: RepoModel, dep: Deployment) -> set[str] | None:
    """Where the images the env's render really uses are set (None: not rendered, every image counts):
    an image in a disabled block of the values is not run, so its history is not judged."""
    if model.rendered_objects(dep) is None:
        return None
    return {format_keypath(image.keypath) for image in model.images(dep)}


def untested_tag(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    if model.history is None:
        return
    for up, dep in model.pairs():
        down_tl, up_tl = model.timeline(dep), model.timeline(up)
        latest = down_tl.latest()
        running = running_keys(model, dep)
        for image in latest.images if latest else ():
            if is_mutable(image) or (running is not None and image.keypath not in running):
                continue
            brought = arrival(down_tl, image)
            assert brought is not None
            if held_before(up_tl, image, brought):
                continue  # promoted: the upstream ran it first (the common case stops here, early)
            if _moving_upstream(up_tl, image, brought):
                continue  # upstream ran a moving tag (dev on `latest`): what it ran is unknowable
            up_first = up_tl.oldest()
            if down_tl.oldest() is brought and (up_first is None or up_first.holds(image)
                                                or not before(up_first, brought)):
                continue  # there since the env's history began, no later than upstream's: a bootstrap
            later = first_holding(up_tl, image)
            fields = _fields(model, up, dep, image, brought, up_tl)
            anchor = f"{image.keypath}:{image.identity}"
            where = image_location(model, dep, image)
            if later is not None and later.commit == brought.commit == PROPOSED:
                yield Hit("same-change", where, dep.app, dep.env.name, fields, anchor=anchor)
            elif later is not None and later.commit == brought.commit:
                yield Hit("same-commit", where, dep.app, dep.env.name, fields, anchor=anchor)
            elif later is not None:
                yield Hit("after", where, dep.app, dep.env.name, {**fields, "up_since": _when(later, precise=True)},
                          anchor=anchor)
            else:
                yield Hit("default", where, dep.app, dep.env.name, fields, anchor=anchor)


def _fields(model: RepoModel, up: Deployment, dep: Deployment, image: ImageRef, brought: State,
            up_tl: Timeline) -> dict[str, Any]:
    elsewhere = ""
    further = model.upstream(up)
    if further is not None:
        first = first_holding(model.timeline(further), image)
        elsewhere = (f"; {version_of(image)} was only in {further.env.name}, since {_when(first)}" if first
                     else f"; {version_of(image)} never ran in {further.env.name} either")
    return {
        "env": dep.env.name, "up_env": up.env.name, "app": dep.app, "image": shown_image(image, dep.app),
        "version": version_of(image), "up_ran": _ran(up_tl, image.keypath), "revision": up_tl.revision,
        "since": _when(brought, precise=True), "elsewhere": elsewhere,
        "up_file": up.own_file,
    }


def parse_duration(text: str) -> int:
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * _SECONDS[match.group(2)]


def soak_time(model: RepoModel, params: dict[str, Any]) -> Iterator[Hit]:
    if model.history is None or not params.get("min_soak"):
        return
    setting = params["min_soak"]
    for up, dep in model.pairs():
        wanted = setting.get(dep.env.role, setting.get(dep.env.name)) if isinstance(setting, dict) else setting
        if not wanted:
            continue
        minimum = parse_duration(wanted)
        down_tl, up_tl = model.timeline(dep), model.timeline(up)
        latest = down_tl.latest()
        running = running_keys(model, dep)
        for image in latest.images if latest else ():
            if running is not None and image.keypath not in running:
                continue
            brought = arrival(down_tl, image)
            assert brought is not None
            ran = held_before(up_tl, image, brought)
            if ran is None:
                continue  # never ran upstream first: promotion/untested-tag says so
            started = _run_start(up_tl, ran, image)
            if brought.time - started.time >= minimum:
                continue
            yield Hit("default", image_location(model, dep, image), dep.app, dep.env.name, {
                **_fields(model, up, dep, image, brought, up_tl), "soaked": _duration(brought.time - started.time),
                "min_soak": wanted, "up_since": _when(started, precise=True),
            }, anchor=f"{image.keypath}:{image.identity}")


def _run_start(timeline: Timeline, state: State, image: ImageRef) -> State:
    """The oldest state of the contiguous run of `image` that `state` belongs to."""
    start, inside = state, False
    for candidate in timeline.newest():
        if candidate is state:
            inside = True
        elif inside:
            if not candidate.holds(image):
                break
            start = candidate
    return start


def _duration(seconds: int) -> str:
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d{(seconds % 86400) // 3600}h"


_SOAK = {"type": "string", "pattern": r"^\s*\d+\s*[smhdw]\s*$"}

KINDS = (
    CheckKind("untested-tag", untested_tag, {"type": "object", "additionalProperties": False},
              "Replays each env's timeline and checks every image ran upstream strictly earlier.",
              needs_history=True),
    CheckKind("soak-time", soak_time, {
        "type": "object", "additionalProperties": False,
        "properties": {"min_soak": {
            "description": "Minimum time upstream before promotion: `24h`, or per env `{prod: 48h, stage: 2h}`.",
            "oneOf": [_SOAK, {"type": "null"}, {"type": "object", "additionalProperties": _SOAK}]}},
    }, "Checks every image ran upstream for at least `min_soak` before it reached the env.", needs_history=True),
)
