"""valueFiles paths of ApplicationSet templates that can never resolve in this repository.

With `ignoreMissingValueFiles: true`, a templated path that points nowhere (`clusters/{{.name}}/…`
where the repo keeps `environments/clusters/<name>/`, a typo such as `{.{name}}`, a default under a
`charts/addons/` prefix that does not exist) silently drops the values it was meant to add. Such a
path is judged without the clusters that fill it in (their Secrets often live outside the repo):

- a placeholder is filled in where the ApplicationSet itself says what it is (a `values:` key or a
  list element with one value), and a leading base-path placeholder (`{{…basepath}}`) is filled in
  when the repo's other valueFiles entries resolve with one value for it (usually empty);
- a placeholder still unknown stands for any one directory name;
- the path is broken when no directory matches it up to its last unknown placeholder, or, with no
  placeholder left, when the file does not exist but one named like it does nearby (a default
  under the wrong name: missing for every cluster) — and only when some valueFiles entry of the same `$ref` does resolve here,
  which shows the entries are read from this repository.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NamedTuple

from gitops_lint.model import Origin

_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_FIELD = re.compile(r"^\.?([A-Za-z_][\w.-]*)$")
_MAX_ENTRIES = 5000
_MAX_LOOKALIKES = 2000  # missing defaults looked up, and files of one name compared with each


class Entry(NamedTuple):
    appset: str
    value_file: str
    origin: Origin


class Broken(NamedTuple):
    entry: Entry
    shown: str  # the path with what is known filled in, `*` for the rest
    reason: str  # "malformed" | "missing" | "missing-file"
    closest: str = ""  # for "missing-file": the existing file it was most likely meant to name


def entries(docs: list[tuple[str, int, Any]]) -> Iterator[tuple[Entry, dict[str, set[str]]]]:
    """Every templated-or-ref valueFiles entry of every ApplicationSet, with the static values its
    generators give (`values.addonChart` -> {"argo-workflows"})."""
    count = 0
    for path, index, data in docs:
        spec = data.get("spec") if isinstance(data, dict) else None
        template = spec.get("template") if isinstance(spec, dict) else None
        tspec = template.get("spec") if isinstance(template, dict) else None
        if not isinstance(tspec, dict):
            continue
        name = str((data.get("metadata") or {}).get("name", "")) if isinstance(data.get("metadata"), dict) else ""
        statics: dict[str, set[str]] = defaultdict(set)
        _statics(spec.get("generators"), statics, 0)
        sources = [("source", tspec["source"])] if isinstance(tspec.get("source"), dict) else []
        if isinstance(tspec.get("sources"), list):
            sources += [(("sources", i), s) for i, s in enumerate(tspec["sources"]) if isinstance(s, dict)]
        for key, source in sources:
            helm = source.get("helm")
            files = helm.get("valueFiles") if isinstance(helm, dict) else None
            source_path = source.get("path")
            # a valueFiles entry is relative to the source's path, a `$ref/…` one to the ref'd repo's root
            prefix = source_path.strip("/") + "/" if isinstance(source_path, str) and source_path.strip("/.") \
                and "{" not in source_path else "" if source_path in (None, "", ".", "./") else None
            for position, value_file in enumerate(files if isinstance(files, list) else ()):
                if isinstance(value_file, str) and not value_file.startswith("$"):
                    if prefix is None or "{" not in value_file:
                        continue  # a templated source path, or a static entry (argocd/values-file judges those)
                    value_file = prefix + value_file
                if isinstance(value_file, str) and ("{" in value_file or value_file.startswith("$")):
                    count += 1
                    if count > _MAX_ENTRIES:
                        return
                    base = ("spec", "template", "spec") + (key if isinstance(key, tuple) else (key,))
                    yield Entry(name, value_file, Origin(path, base + ("helm", "valueFiles", position), index)), statics


def _statics(node: Any, out: dict[str, set[str]], depth: int) -> None:
    if depth > 8:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "values" and isinstance(value, dict):
                for name, item in value.items():
                    if isinstance(item, str):
                        out[f"values.{name}"].add(item)
            elif key == "elements" and isinstance(value, list):
                for element in value:
                    for name, item in element.items() if isinstance(element, dict) else ():
                        if isinstance(item, str):
                            out[str(name)].add(item)
            else:
                _statics(value, out, depth + 1)
    elif isinstance(node, list):
        for item in node:
            _statics(item, out, depth + 1)


def broken(found: list[tuple[Entry, dict[str, set[str]]]], files: frozenset[str]) -> list[Broken]:
    dirs = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}
    prepared = [(entry, _split(entry.value_file), statics) for entry, statics in found]
    bases = _base_bindings(prepared, files)
    resolving_refs = set()
    out: list[tuple[Entry, str, str, Any, str]] = []
    used: set[str] = set()  # files a static entry does read: never the file another entry meant
    for entry, (ref, parts), statics in prepared:
        if parts is None:
            out.append((entry, entry.value_file, "malformed", ref, ""))
            continue
        filled = _fill(parts, statics, bases)
        regex = "".join(re.escape(p) if isinstance(p, str) else "[^/]+" for p in filled)
        if any(re.fullmatch(regex, f) for f in files):
            resolving_refs.add(ref)
            if all(isinstance(p, str) for p in filled):
                used.add("".join(filled))
            continue
        shown = "".join(p if isinstance(p, str) else "*" for p in filled)
        last = max((i for i, p in enumerate(filled) if not isinstance(p, str)), default=None)
        if last is not None:
            head = "".join(re.escape(p) if isinstance(p, str) else "[^/]+" for p in filled[:last + 1])
            if any(re.fullmatch(head + "[^/]*", d) for d in dirs):
                continue  # a per-cluster (or per-env) directory that exists: an optional file
        elif shown.split("/", 1)[0] in dirs:  # the same file for every cluster and env, under a directory
            out.append((entry, shown, "missing-file", ref, ""))  # that exists: an optional default, unless
            continue  # a file named like it exists nearby
        out.append((entry, shown, "missing", ref, ""))
    found = []
    by_name: dict[str, list[str]] = defaultdict(list)  # file name -> files, for the look-alike search
    for path in files:
        if path not in used:
            by_name[path.rsplit("/", 1)[-1]].append(path)
    looked = 0
    for entry, shown, reason, ref, closest in out:
        if reason == "missing-file":
            looked += 1
            closest = _closest(shown, by_name.get(shown.rsplit("/", 1)[-1], [])[:_MAX_LOOKALIKES], dirs) \
                if looked <= _MAX_LOOKALIKES else ""
            if not closest:
                continue
        if ref in resolving_refs:
            found.append(Broken(entry, shown, reason, closest))
    return found


def _closest(path: str, files: list[str], dirs: set[str]) -> str:
    """The one file named like `path` under its deepest existing directory whose own directories
    share the most words with the missing part (`aws-ebs-csi-classes/values.yaml` ->
    `aws-ebs-csi/resources/values.yaml`); "" when none shares two words, or two tie."""
    parts = path.split("/")
    depth = max((i for i in range(1, len(parts)) if "/".join(parts[:i]) in dirs), default=0)
    if depth == 0:
        return ""
    top = "/".join(parts[:depth]) + "/"
    wanted = set(re.findall(r"[a-z0-9]+", "/".join(parts[depth:-1]).lower()))
    scored = []
    for candidate in files:
        if candidate.startswith(top):
            words = set(re.findall(r"[a-z0-9]+", candidate[len(top):].rsplit("/", 1)[0].lower()))
            shared = len(words & wanted)
            if shared >= min(2, len(wanted)) and words != set():
                scored.append((shared, shared / len(words | wanted), candidate))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][:2] == scored[1][:2]):
        return ""
    return scored[0][2]


def _split(value_file: str) -> tuple[str, list[Any] | None]:
    """(`$ref` or "", the path as literal text and ("field",) placeholders), None when the
    template text is malformed (a brace left over once every `{{ … }}` is taken out)."""
    ref = ""
    if value_file.startswith("$") and "/" in value_file:
        ref, value_file = value_file[1:].split("/", 1)
    parts: list[Any] = []
    last = 0
    for match in _ACTION.finditer(value_file):
        parts.append(value_file[last:match.start()])
        field = _FIELD.match(match.group(1))
        parts.append((field.group(1) if field else "",))
        last = match.end()
    parts.append(value_file[last:])
    if any("{" in p or "}" in p for p in parts if isinstance(p, str)):
        return ref, None
    return ref, [p for p in parts if p != ""]


def _fill(parts: list[Any], statics: dict[str, set[str]], bases: dict[str, str]) -> list[Any]:
    out: list[Any] = []
    for index, part in enumerate(parts):
        if isinstance(part, tuple):
            known = statics.get(part[0], set())
            if len(known) == 1:
                part = next(iter(known))
            elif index == 0 and part[0] in bases:
                part = bases[part[0]]
        out.append(part)
    merged: list[Any] = []
    for part in out:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    # Argo CD joins and cleans the path: `a//b` is `a/b`, and a leading `/` stays inside the source
    merged = [re.sub("/{2,}", "/", p) if isinstance(p, str) else p for p in merged]
    if merged and isinstance(merged[0], str):
        merged[0] = merged[0].lstrip("/")
    return [p for p in merged if p != ""]


def _base_bindings(prepared: list[tuple[Entry, tuple[str, list[Any] | None], dict[str, set[str]]]],
                   files: frozenset[str]) -> dict[str, str]:
    """A leading placeholder (a base path) that every entry resolving to exactly one file fills in
    the same way."""
    seen: dict[str, set[str]] = defaultdict(set)
    for _, (_, parts), statics in prepared[:500]:
        if not parts or not isinstance(parts[0], tuple):
            continue
        rest = _fill(parts[1:], statics, {})
        if any(not isinstance(p, str) for p in rest):
            continue
        tail = "".join(rest)
        hits = [f[: len(f) - len(tail)] for f in files if f.endswith(tail)]
        if len(hits) == 1 and (hits[0] == "" or hits[0].endswith("/")):
            seen[parts[0][0]].add(hits[0])
    return {name: next(iter(values)) for name, values in seen.items() if len(values) == 1}
