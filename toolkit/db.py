"""Database helpers that differ between PostgreSQL (production, CI) and SQLite (``make run``).

Text search uses ``icontains``, which Django turns into ``UPPER(col::text) LIKE UPPER('%term%')`` on
PostgreSQL. A B-tree index cannot serve a pattern with a leading ``%``; a trigram GIN index on
the same expression can (``pg_trgm``). SQLite has neither the extension nor GIN, and a table
there stays small enough to scan, so these indexes are created on PostgreSQL only, by a
migration operation that does nothing elsewhere. They are not declared in ``Meta.indexes``
(SQLite could not build them), so ``makemigrations`` never sees them.

In a migration:

    from toolkit.db import CreateTrigramExtension, TrigramIndex
    operations = [
        CreateTrigramExtension(),
        TrigramIndex("organization", "name", name="partners_org_name_trgm"),
    ]
"""

from __future__ import annotations

from django.db import migrations


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class CreateTrigramExtension(migrations.operations.base.Operation):
    """``CREATE EXTENSION IF NOT EXISTS pg_trgm`` on PostgreSQL; nothing elsewhere."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass  # other apps' indexes may use it; leaving it installed is harmless

    def describe(self):
        return "Create the pg_trgm extension (PostgreSQL only)"


class TrigramIndex(migrations.operations.base.Operation):
    """A GIN trigram index on ``UPPER(field::text)``, the expression ``icontains`` searches (PostgreSQL only)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, field_name: str, *, name: str):
        self.model_name = model_name
        self.field_name = field_name
        self.name = name

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name, self.field_name], {"name": self.name})

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not _postgres(schema_editor):
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.field_name).column
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {quote(model._meta.db_table)} "
            f"USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"Trigram index {self.name} on {self.model_name}.{self.field_name} (PostgreSQL only)"
