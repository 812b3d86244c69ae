"""Versioned SQL files that create and migrate the catalog's schema, one folder per engine.

``NNNN_name.sql`` files are applied in order, each in its own transaction with its number
recorded in ``schema_migrations``; ``assistant.index.migrate`` applies the ones a database
lacks whenever a catalog is opened.
"""
