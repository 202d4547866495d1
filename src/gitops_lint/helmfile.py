"""Layout plug-in: helmfile (in progress; see plugins.py for the protocol)."""
from __future__ import annotations

from typing import Any


class Helmfile:
    name = "helmfile"

    def find(self, ctx: Any) -> None:
        """Appends the deployments this layout finds to `ctx` (plugins.Context)."""
