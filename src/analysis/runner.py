"""Papermill batch runner (work in progress)."""

from __future__ import annotations

from papermill.engines import NBClientEngine


class WarmEngine(NBClientEngine):
    """Papermill engine keeping one kernel per process (stub; being built)."""
