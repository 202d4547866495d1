"""Path globs (`exclude:`, exemption `paths:`, `layouts:`), matched without backtracking.

`**` crosses directories (`**/` also matches nothing), `*` and `?` stay inside one directory,
anything else is literal; a pattern names a file or a directory, and then everything below it.
Layout patterns add `{env}` and `{app}`: one or more characters inside one directory, captured
(the leftmost capture takes the most, as a regex would).

The set of text positions a pattern prefix can reach is kept as the bits of one integer, and
each token moves the whole set with a few integer operations. A match costs tokens × path
length / 64 word operations whatever the pattern: `**…*z` (60 stars) or `**/` × 25, which a
backtracking regex took minutes over, is as cheap as `legacy/**`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

MAX_PATTERN = 1024  # characters; config.schema.json says the same
CAPTURES = ("env", "app")
LIT, ONE, STAR, GLOB, GLOB_SLASH, SLASH_GLOB, CAPTURE = range(7)
Token = tuple[int, str]


class _Text:
    """A path as bit masks: bit j of `ns` is set when text[j] is not '/', of `slash` when it is."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.full = (1 << (self.n + 1)) - 1  # positions 0..n: "text[:j] is matched"
        self.slash = 0
        index = text.find("/")
        while index >= 0:
            self.slash |= 1 << index
            index = text.find("/", index + 1)
        self.ns = ((1 << self.n) - 1) & ~self.slash

    def starts(self, literal: str) -> int:
        mask, index = 0, self.text.find(literal)
        while index >= 0:
            mask |= 1 << index
            index = self.text.find(literal, index + 1)
        return mask


def _step(token: Token, reached: int, text: _Text) -> int:
    kind, literal = token
    if kind == LIT:
        return (reached & text.starts(literal)) << len(literal)
    if kind == ONE:
        return (reached & text.ns) << 1
    if kind == STAR:  # each reached position runs on to the end of its directory name (a carry)
        movable = reached & text.ns
        return reached | movable | ((text.ns + movable) ^ text.ns)
    if kind == CAPTURE:
        return _step((STAR, ""), _step((ONE, ""), reached, text), text)
    from_lowest = text.full & ~((reached & -reached) - 1) if reached else 0
    if kind == GLOB:
        return from_lowest
    if kind == GLOB_SLASH:  # `**/`: nothing, or anything that ends with '/'
        return reached | ((from_lowest & text.slash) << 1)
    slashes = reached & text.slash  # SLASH_GLOB, `/**` made optional: GLOB_SLASH read backwards
    return reached | (text.full & ~(((slashes & -slashes) << 1) - 1)) if slashes else reached


@lru_cache(maxsize=2048)
def tokens(pattern: str, *, captures: bool = False) -> tuple[Token, ...]:
    out: list[Token] = []
    index = 0
    while index < len(pattern):
        name = next((n for n in CAPTURES if captures and pattern.startswith(f"{{{n}}}", index)), None)
        if name is not None:
            out.append((CAPTURE, name))
            index += len(name) + 2
            continue
        for text, kind in (("**/", GLOB_SLASH), ("**", GLOB), ("*", STAR), ("?", ONE)):
            if pattern.startswith(text, index):
                _add_wildcard(out, kind)
                index += len(text)
                break
        else:
            if out and out[-1][0] == LIT:
                out[-1] = (LIT, out[-1][1] + pattern[index])
            else:
                out.append((LIT, pattern[index]))
            index += 1
    return tuple(out)


class _Compiled(NamedTuple):
    tokens: tuple[Token, ...]
    literal: str | None  # the whole pattern, when it has no wildcard
    prefix: str  # what every match starts with
    needed: tuple[str, ...]  # what every match contains


@lru_cache(maxsize=2048)
def _compiled(pattern: str) -> _Compiled:
    pattern = pattern.strip("/")
    found = tokens(pattern)
    literals = tuple(literal for kind, literal in found if kind == LIT)
    plain = pattern if len(found) <= 1 and literals == tuple(found and [pattern]) else None
    return _Compiled(found, plain, found[0][1] if found and found[0][0] == LIT else "", literals)


def _add_wildcard(out: list[Token], kind: int) -> None:
    """Runs of wildcards that mean one (`**/**`, `***`, `**/*`) become one token: padding a
    pattern with them costs nothing."""
    last = out[-1][0] if out else None
    pair = (last, kind)
    if last in (STAR, GLOB, GLOB_SLASH) and kind in (STAR, GLOB, GLOB_SLASH) and pair != (STAR, GLOB_SLASH):
        same = pair in ((STAR, STAR), (GLOB_SLASH, GLOB_SLASH))
        out[-1] = (kind if same else GLOB, "")
    else:
        out.append((kind, ""))


def path_matches(relpath: str, pattern: str) -> bool:
    """Whether `pattern` names `relpath` or a directory above it."""
    compiled = _compiled(pattern)
    if compiled.literal is not None:
        return relpath == compiled.literal or relpath.startswith(compiled.literal + "/")
    if not relpath.startswith(compiled.prefix):
        return False
    for part in compiled.needed:
        if part not in relpath:
            return False  # every literal has to occur: most paths stop here
    text = _Text(relpath)
    reached = 1
    for token in compiled.tokens:
        reached = _step(token, reached, text)
        if not reached:
            return False
    return bool(reached & ((1 << text.n) | text.slash))


class LayoutMatch(NamedTuple):
    groups: dict[str, str]

    def group(self, name: str) -> str:
        return self.groups[name]

    def groupdict(self) -> dict[str, str]:
        return dict(self.groups)


class LayoutPattern:
    """`image-tags/{env}/{app}`: the whole path must match; `match` returns the captures."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.tokens = tokens(pattern.strip("/"), captures=True)
        names = [name for kind, name in self.tokens if kind == CAPTURE]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"{{{repeated[0]}}} appears more than once; {{env}} and {{app}} may each appear once")

    def match(self, path: str) -> LayoutMatch | None:
        text = _Text(path)
        ahead = self._finishing(path)
        if not ahead[0] & 1:
            return None
        groups: dict[str, str] = {}
        here = 0
        for index, token in enumerate(self.tokens):  # greedy: the furthest position that can still finish
            there = (_step(token, 1 << here, text) & ahead[index + 1]).bit_length() - 1
            if token[0] == CAPTURE:
                groups[token[1]] = path[here:there]
            here = there
        return LayoutMatch(groups)

    def _finishing(self, path: str) -> list[int]:
        """For each token index k, the positions from which tokens k… match the rest of `path`
        exactly: the tokens run backwards over the reversed path."""
        mirrored = {GLOB_SLASH: SLASH_GLOB}
        backwards = _Text(path[::-1])
        reached = 1
        out = [0] * (len(self.tokens) + 1)
        out[-1] = _mirror(reached, len(path))
        for index in range(len(self.tokens) - 1, -1, -1):
            kind, literal = self.tokens[index]
            reached = _step((mirrored.get(kind, kind), literal[::-1]), reached, backwards)
            out[index] = _mirror(reached, len(path))
        return out


def _mirror(mask: int, n: int) -> int:
    """Bit i -> bit n - i: positions in the reversed text back to positions in the text."""
    return int(format(mask, f"0{n + 1}b")[::-1], 2) if mask else 0
