"""Environment names, aliases and the promotion order."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from gitops_lint.model import Env

DEFAULT_ORDER: tuple[str, ...] = ("dev", "qa", "stage", "prod")
DEFAULT_ALIASES: Mapping[str, tuple[str, ...]] = {
    "dev": ("development", "develop"),
    "qa": ("test", "testing", "int", "integration"),
    "stage": ("staging", "stg", "uat", "preprod", "pre-prod"),
    "prod": ("production", "prd", "live"),
}
DEFAULT_PROTECTED: tuple[str, ...] = ("stage", "prod")

_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")


class EnvScheme:
    """Turns names found in files, Applications and namespaces into envs in promotion order."""

    def __init__(self, *, order: Sequence[str] = DEFAULT_ORDER,
                 aliases: Mapping[str, Iterable[str]] | None = None,
                 protected: Sequence[str] | None = None, production: str | None = None) -> None:
        self._given = (tuple(order), {r: list(n) for r, n in (aliases or {}).items()}, protected, production)
        self.order = tuple(name.lower() for name in order)
        merged: dict[str, list[str]] = {role: list(DEFAULT_ALIASES.get(role, ())) for role in self.order}
        for role, names in (aliases or {}).items():
            merged.setdefault(role.lower(), []).extend(n.lower() for n in names)
        self._lookup: dict[str, str] = {}
        for role in self.order:
            for name in merged.get(role, ()):
                if name not in self.order:  # an env named in `order` is always itself
                    self._lookup.setdefault(name, role)
            self._lookup[role] = role
        # multi-word aliases ("pre-prod") are matched on the joined tokens
        self._multi = sorted((tuple(_TOKEN_SPLIT.split(n)), r) for n, r in self._lookup.items()
                             if len(_TOKEN_SPLIT.split(n)) > 1)
        self.protected = frozenset(p.lower() for p in (protected if protected is not None else
                                                        [r for r in DEFAULT_PROTECTED if r in self.order]))
        self.production = (production or self.order[-1]).lower()

    def with_aliases(self, extra: Mapping[str, Iterable[str]]) -> EnvScheme:
        """This scheme with more names per role (env names a declared promotion order introduces)."""
        order, aliases, protected, production = self._given
        merged = {role: list(names) for role, names in aliases.items()}
        for role, names in extra.items():
            merged.setdefault(role, []).extend(names)
        return EnvScheme(order=order, aliases=merged, protected=protected, production=production)

    def role_of(self, word: str) -> str | None:
        """The role a whole name stands for (`Staging` -> `stage`), or None."""
        return self._lookup.get(word.lower())

    def find(self, name: str) -> tuple[str, str, str] | None:
        """The last env token in `name`: (role, token as written, name without it), or None.

        `manual-app-prod` -> ('prod', 'prod', 'manual-app'); `values-staging.yaml` -> ('stage', ...).
        """
        lowered = name.lower()
        spans = [(m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+", lowered)]
        tokens = [lowered[a:b] for a, b in spans]
        best: tuple[int, int, str] | None = None  # (first token index, last token index, role)
        for index, token in enumerate(tokens):
            for words, role in self._multi:
                if tuple(tokens[index:index + len(words)]) == words:
                    best = (index, index + len(words) - 1, role)
            single = self._lookup.get(token)
            if single is not None and (best is None or index > best[1]):
                best = (index, index, single)
        if best is None:
            return None
        first, last, role = best
        start, end = spans[first][0], spans[last][1]
        rest = (name[:start].rstrip("-_. ") + ("-" if start and end < len(name) else "")
                + name[end:].lstrip("-_. "))
        return role, name[start:end], rest.strip("-_. ")

    def words(self) -> frozenset[str]:
        """Every name that stands for an env (roles and aliases), lower case."""
        return frozenset(self._lookup)

    def fold(self, text: str) -> str:
        """Lower case, every env word replaced by `<env>`: `overlays/Stage` == `overlays/prod`."""
        return re.sub(r"[a-z0-9]+", lambda m: "<env>" if m.group(0) in self._lookup else m.group(0), text.lower())

    def env(self, role: str, display: str | None = None) -> Env:
        return Env(name=(display or role), role=role, rank=self.rank(role),
                   protected=role in self.protected, production=role == self.production)

    def rank(self, role: str) -> int:
        return self.order.index(role) if role in self.order else len(self.order)

    def chain(self, roles: Iterable[str]) -> list[str]:
        return sorted(set(roles), key=self.rank)
