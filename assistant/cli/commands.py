"""Imports every command module so that each registers itself on the root app."""

from __future__ import annotations
