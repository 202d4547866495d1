"""Layout plug-in: flux (in progress; see plugins.py for the protocol)."""
from __future__ import annotations

from typing import Any


class Flux:
    name = "flux"

    def find(self, ctx: Any) -> None:
        """Appends the deployments this layout finds to `ctx` (plugins.Context)."""
