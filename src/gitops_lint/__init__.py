"""gitops-lint: prove a multi-environment GitOps repository is safe to deploy from."""
from __future__ import annotations

__version__ = "0.2.0"
