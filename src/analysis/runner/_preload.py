"""Imported by the runner's fork server: loads and warms up what every task needs."""

from .execute import preload

preload()
