"""Layout plug-in: argocd-app-of-apps (in progress; see plugins.py for the protocol)."""
from __future__ import annotations

from typing import Any


class AppOfApps:
    name = "argocd-app-of-apps"

    def find(self, ctx: Any) -> None:
        """Appends the deployments this layout finds to `ctx` (plugins.Context)."""
