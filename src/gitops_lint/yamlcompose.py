"""Composing YAML text into ruamel nodes, for yamlio (the only YAML loader).

Files are composed with ruamel's C parser (`typ='safe'` + ruamel.yaml.clib) through one loader
class made once, with a resolver that looks its table up once; the pure-Python composer is the
fallback. Callers bound the depth first (yamldepth): the C composer recurses without checking.
"""
from __future__ import annotations

from typing import Any

from gitops_lint import yamlconvert

_yaml_instances: dict[bool, Any] = {}


def _yaml(pure: bool = False) -> Any:
    if pure not in _yaml_instances:
        from ruamel.yaml import YAML

        yaml = YAML(typ="safe", pure=pure)
        yaml.Resolver = _fast_resolver()
        _yaml_instances[pure] = yaml
    return _yaml_instances[pure]


def _fast_resolver() -> Any:
    """ruamel's YAML 1.2 resolver with its table looked up once, not on every scalar.

    The C composer calls back into Python to resolve every plain scalar; ruamel rebuilds the
    candidate list each time. Same tags, same regexes, about 2.5x faster composing.
    """
    from ruamel.yaml.nodes import MappingNode, ScalarNode
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.tag import Tag

    probe = VersionedResolver(version=(1, 2))
    shared: dict[str, Any] = {}

    def canonical(name: str) -> Any:
        if name not in shared:
            shared[name] = Tag(suffix=name)
            yamlconvert.KNOWN_TAGS[id(shared[name])] = name
        return shared[name]

    table = {key: [(canonical(tag), regexp) for tag, regexp in entries]
             for key, entries in probe.versioned_resolver.items()}
    anywhere = table.pop(None, [])
    table = {key: entries + anywhere for key, entries in table.items()}
    str_tag, map_tag, seq_tag = (canonical(f"tag:yaml.org,2002:{name}") for name in ("str", "map", "seq"))

    class FastResolver(VersionedResolver):
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is ScalarNode:
                if implicit[0]:
                    for tag, regexp in table.get(value[:1], anywhere):
                        if regexp.match(value):
                            return tag
                return str_tag
            return map_tag if kind is MappingNode else seq_tag

    return FastResolver


_c_loader: Any = None


def _compose_c(text: str) -> list[Any] | None:
    """Compose with the C parser through one loader class made once (ruamel's own API makes a new
    class on every call). None when ruamel.yaml.clib is not installed."""
    global _c_loader
    if _c_loader is None:
        try:
            from _ruamel_yaml import CParser
        except ImportError:
            _c_loader = False
            return None
        resolver = _fast_resolver()

        class Loader(CParser, resolver):  # type: ignore[misc,valid-type]
            def __init__(self, stream: str) -> None:
                CParser.__init__(self, stream)
                resolver.__init__(self, version=(1, 2), loadumper=self)

        _c_loader = Loader
    if _c_loader is False:
        return None
    loader = _c_loader(text)
    try:
        nodes = []
        while loader.check_node():
            nodes.append(loader.get_node())
        return nodes
    finally:
        loader.dispose()


def compose(text: str) -> list[Any]:
    try:
        nodes = _compose_c(text)
        if nodes is not None:
            return nodes
    except Exception as exc:
        # YAML 1.2 lets a later anchor redefine an earlier one; the C composer refuses, the
        # Python one only warns. Retry the rare file that does it in pure Python.
        if "duplicate anchor" not in str(exc):
            raise
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(_yaml(pure=True).compose_all(text))
