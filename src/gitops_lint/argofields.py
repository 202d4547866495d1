"""Fields of Argo CD documents, read by type: a field of the wrong type is a notice naming the file
and the key (`spec.source.helm.valueFiles is a number, expected a list; ignored`) and reads as
absent, so a malformed Application never stops the rest of the repo from being linted."""
from __future__ import annotations

from typing import Any

from gitops_lint.yamlio import type_name


class Fields:
    """Reads the fields of one document; `notes` collects what had the wrong type."""

    def __init__(self, where: str) -> None:
        self.where = where  # "argocd/web.yaml: Application web-prod"
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(f"{self.where}: {text}")

    def mapping(self, data: Any, key: str, path: str, *, then: str = "ignored") -> dict[Any, Any] | None:
        return self._typed(data, key, path, dict, "a mapping", then)  # type: ignore[no-any-return]

    def sequence(self, data: Any, key: str, path: str, *, then: str = "ignored") -> list[Any] | None:
        return self._typed(data, key, path, list, "a list", then)  # type: ignore[no-any-return]

    def text(self, data: Any, key: str, path: str) -> str | None:
        """A scalar as text (`1.2` -> '1.2', `true` -> 'true'); None when absent or not a scalar."""
        value = data.get(key) if isinstance(data, dict) else None
        return self.scalar(value, path)

    def scalar(self, value: Any, path: str) -> str | None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        self.note(f"{path} is {type_name(value)}, expected text; ignored")
        return None

    def flag(self, data: Any, key: str, path: str) -> bool:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None or isinstance(value, bool):
            return bool(value)
        self.note(f"{path} is {type_name(value)}, expected true or false; ignored")
        return False

    def _typed(self, data: Any, key: str, path: str, kind: type, words: str, then: str) -> Any:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None or isinstance(value, kind):
            return value
        self.note(f"{path} is {type_name(value)}, expected {words}; {then}")
        return None


def shown(name: str, limit: int = 60) -> str:
    """A name from a document, quoted and cut short for a notice."""
    return repr(name if len(name) <= limit else name[:limit] + "…")
