"""Apply the catalog's versioned SQL migrations (``assistant/index/migrations/<engine>/``).

Every catalog open calls ``pending`` then applies what is missing, each file in its own
transaction together with its row in ``schema_migrations``, so a schema is never half-migrated
and never changed by hand. Several processes starting at once are serialised by the engine
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped advisory lock) and the second
finds the work done. A database newer than this code (a migration number it does not know) is
refused with a message, rather than written with an older schema's assumptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from assistant.index.catalog import CatalogError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


class SchemaTooNewError(CatalogError):
    """The database was migrated by a newer version of the assistant."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(engine: str) -> list[Migration]:
    """The engine's migrations in order (``sqlite`` or ``postgres``)."""
    folder = resources.files("assistant.index.migrations").joinpath(engine)
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"catalog migrations for {engine} are not numbered 1..n: {found}")
    return found


def pending(engine: str, applied: set[int], where: str) -> list[Migration]:
    """The migrations a database with ``applied`` versions still needs."""
    known = migrations(engine)
    newer = sorted(applied - {m.version for m in known})
    if newer:
        raise SchemaTooNewError(
            f"the catalog at {where} has schema version {max(applied)}, newer than this version "
            f"of the assistant knows ({len(known)}); upgrade the assistant on this host"
        )
    return [m for m in known if m.version not in applied]
