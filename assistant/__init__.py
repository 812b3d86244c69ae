"""Offline-first bilingual question answering over UN documents with grounded citations."""

__version__ = "0.1.0"
