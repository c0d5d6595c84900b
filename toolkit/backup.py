"""Backups that can be checked: a manifest of the database and the file store, and a restored copy compared to it.

``manage.py backup_manifest`` writes, at backup time, each table's row count and checksum and each stored
file's size and SHA-256 (optionally running ``pg_dump`` on the very snapshot it checksummed);
``manage.py verify_restore`` recomputes the same on a restored copy and names every table and file that
differs. The manifest, not a live connection to the original, is what the copy is compared with: by the
time anyone restores, the original is usually gone or has moved on.

Tables and columns are read from the database's catalog when the manifest is written, never from a list
kept here, so a migration that adds a table or a column changes nothing in this module.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.utils import timezone

from toolkit.files import referenced_files, stored_files

MANIFEST_FORMAT = 1
# How a table's checksum is computed; a manifest is only compared with a copy checked the same way.
METHOD_POSTGRESQL = "postgresql: count, and sums of md5(row::text) halves"
METHOD_PORTABLE = "portable: count, and sums of md5(repr(row)) halves"
READ_CHUNK_ROWS = 2000
FILE_CHUNK_BYTES = 1024 * 1024
# The first and second 64 bits of each row's md5, summed exactly (numeric never overflows).
_SUM_OF_HALVES = ("coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0),"
                  " coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)")

MSG_NOT_A_MANIFEST = "{path} is not a manifest written by backup_manifest (no format {format} table and file lists)."
MSG_OTHER_METHOD = ("The manifest's checksums were computed on another kind of database ({theirs}); this database "
                    "computes them as {ours}. Restore into the same kind of database.")
MSG_DUMP_NEEDS_POSTGRES = "--pg-dump needs PostgreSQL; this database is {vendor}."


@dataclass(frozen=True)
class TableDigest:
    rows: int
    checksum: str
    columns: list[str]


@dataclass
class Comparison:
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    files: int = 0


# --- The database -------------------------------------------------------------------------------------


def checksum_method() -> str:
    return METHOD_POSTGRESQL if connection.vendor == "postgresql" else METHOD_PORTABLE


@contextmanager
def consistent_snapshot() -> Iterator[str | None]:
    """One read-only view of the whole database for every query inside; yields PostgreSQL's snapshot id.

    The id lets ``pg_dump --snapshot`` dump exactly the rows the manifest describes, while people keep
    working. Output settings that change how a row prints are fixed, so the same row prints the same on the
    original and on its copy whatever either server's defaults.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # The isolation level can only be set by a transaction's first statement.
        raise RuntimeError("A consistent snapshot needs a transaction of its own; call this outside atomic().")
    with transaction.atomic():
        if connection.vendor != "postgresql":
            yield None
            return
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            for setting, value in (("TimeZone", "UTC"), ("DateStyle", "ISO, YMD"), ("IntervalStyle", "postgres"),
                                   ("extra_float_digits", "1"), ("bytea_output", "hex")):
                cursor.execute("SELECT set_config(%s, %s, true)", [setting, value])
            cursor.execute("SELECT pg_export_snapshot()")
            yield cursor.fetchone()[0]


def table_names() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(info.name for info in connection.introspection.get_table_list(cursor) if info.type == "t")


def _columns(cursor, table: str) -> list[str]:
    return [column.name for column in connection.introspection.get_table_description(cursor, table)]


def _checksum(rows: int, first_half_sum: int, second_half_sum: int) -> str:
    return hashlib.sha256(f"{rows}:{first_half_sum}:{second_half_sum}".encode()).hexdigest()


def table_digest(table: str) -> TableDigest:
    """Row count and an order-independent checksum of every row's every column.

    Each row's text is hashed (md5, split into two 64-bit halves) and the halves are summed: the result does
    not depend on the order rows come back in or on any key, needs no sort, and on PostgreSQL the whole table
    is read in one pass inside the server, in constant memory, however many rows it has.
    """
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        columns = _columns(cursor, table)
        if connection.vendor == "postgresql":
            # The alias is one no column has, so `_r_::text` is the whole row; the name is quoted, from the catalog.
            hashed_rows = f"SELECT md5(_r_::text) AS h FROM {quoted} AS _r_"  # noqa: S608
            cursor.execute("SELECT count(*), " + _SUM_OF_HALVES + " FROM (" + hashed_rows + ") AS hashed")  # noqa: S608
            rows, first, second = cursor.fetchone()
            return TableDigest(rows=rows, checksum=_checksum(rows, int(first), int(second)), columns=columns)
        # Elsewhere (SQLite) the rows are hashed here, a chunk at a time.
        cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (a quoted name from the catalog)
        rows = first = second = 0
        while chunk := cursor.fetchmany(READ_CHUNK_ROWS):
            for row in chunk:
                digest = hashlib.md5(repr(tuple(row)).encode(), usedforsecurity=False).digest()
                first += int.from_bytes(digest[:8], "big", signed=True)
                second += int.from_bytes(digest[8:], "big", signed=True)
                rows += 1
        return TableDigest(rows=rows, checksum=_checksum(rows, first, second), columns=columns)


def database_digest() -> dict[str, TableDigest]:
    """Every table of the database: call inside ``consistent_snapshot()``."""
    return {table: table_digest(table) for table in table_names()}


def run_pg_dump(*, snapshot: str, target: Path) -> None:
    """``pg_dump -Fc`` of the default database as of ``snapshot`` (the transaction that exported it stays open)."""
    db = connection.settings_dict
    command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", "--no-password",
               f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        command.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        command.append(f"--port={db['PORT']}")
    if db.get("USER"):
        command.append(f"--username={db['USER']}")
    env = {**os.environ, **({"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else {})}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump failed ({result.returncode}): {result.stderr.strip()}")


# --- The file store -----------------------------------------------------------------------------------


def file_digest(name: str, storage: Storage) -> dict:
    sha256 = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(FILE_CHUNK_BYTES):
            sha256.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": sha256.hexdigest()}


def files_digest(storage: Storage | None = None) -> dict[str, dict]:
    """Every stored file (as ``cleanup_orphaned_files`` lists them), with its size and SHA-256."""
    storage = storage or default_storage
    return {name: file_digest(name, storage) for name in sorted(stored_files(storage))}


# --- The manifest -------------------------------------------------------------------------------------


def write_manifest(target: Path, *, pg_dump: Path | None = None, storage: Storage | None = None) -> dict:
    """Describe the database and the file store in a JSON file; with ``pg_dump``, dump that same snapshot."""
    storage = storage or default_storage
    if pg_dump is not None and connection.vendor != "postgresql":
        raise ValueError(MSG_DUMP_NEEDS_POSTGRES.format(vendor=connection.vendor))
    with consistent_snapshot() as snapshot:
        if pg_dump is not None:
            run_pg_dump(snapshot=snapshot, target=pg_dump)
        tables = database_digest()
        named_by_rows = referenced_files()
    files = files_digest(storage)
    manifest = {
        "format": MANIFEST_FORMAT,
        "written_at": timezone.now().isoformat(),
        "database": str(connection.settings_dict["NAME"]),
        "method": checksum_method(),
        "snapshot": snapshot,
        "dump": str(pg_dump) if pg_dump else None,
        "storage": type(getattr(storage, "_wrapped", storage)).__name__,
        "tables": {name: {"rows": d.rows, "checksum": d.checksum, "columns": d.columns} for name, d in tables.items()},
        "files": files,
        # Named by a row but already missing when the backup was taken: not the restore's fault.
        "missing_at_backup": sorted(named_by_rows - files.keys()),
    }
    # Written whole or not at all: a half-written manifest would fail every later check.
    with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, suffix=".tmp", encoding="utf-8") as out:
        json.dump(manifest, out, indent=1, sort_keys=True)
    Path(out.name).replace(target)
    return manifest


def read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"Cannot read the manifest {path}: {exc}") from exc
    if (not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT
            or not isinstance(manifest.get("tables"), dict) or not isinstance(manifest.get("files"), dict)):
        raise ValueError(MSG_NOT_A_MANIFEST.format(path=path, format=MANIFEST_FORMAT))
    return manifest


def compare_with_manifest(manifest: dict, *, storage: Storage | None = None) -> Comparison:
    """This database and file store against the manifest: every table and file that differs, by name."""
    storage = storage or default_storage
    if manifest.get("method") != checksum_method():
        raise ValueError(MSG_OTHER_METHOD.format(theirs=manifest.get("method"), ours=checksum_method()))
    result = Comparison()
    with consistent_snapshot():
        tables = database_digest()
        named_by_rows = referenced_files()
    expected_tables: dict = manifest["tables"]
    for name in sorted(expected_tables.keys() | tables.keys()):
        expected, found = expected_tables.get(name), tables.get(name)
        if found is None:
            result.differences.append(f"table {name}: missing")
        elif expected is None:
            result.differences.append(f"table {name}: not in the manifest ({found.rows} rows)")
        elif expected["columns"] != found.columns:
            result.differences.append(f"table {name}: columns differ (expected {', '.join(expected['columns'])}; "
                                      f"found {', '.join(found.columns)})")
        elif expected["rows"] != found.rows:
            result.differences.append(f"table {name}: {found.rows} rows, expected {expected['rows']}")
        elif expected["checksum"] != found.checksum:
            result.differences.append(f"table {name}: same {found.rows} rows, different contents (checksum)")
        else:
            result.tables += 1
            result.rows += found.rows

    present = set(stored_files(storage))
    for name, expected in sorted(manifest["files"].items()):
        if name not in present:
            result.differences.append(f"file {name}: missing")
            continue
        found = file_digest(name, storage)
        if found["size"] != expected["size"]:
            result.differences.append(f"file {name}: changed ({found['size']} bytes, expected {expected['size']})")
        elif found["sha256"] != expected["sha256"]:
            result.differences.append(f"file {name}: changed (same size, different SHA-256)")
        else:
            result.files += 1
    already_missing = set(manifest.get("missing_at_backup", []))
    for name in sorted(named_by_rows - present - manifest["files"].keys() - already_missing):
        result.differences.append(f"file {name}: named by a row but missing (and not in the manifest)")
    for name in sorted(already_missing & (named_by_rows - present)):
        result.notes.append(f"file {name}: named by a row, already missing when the backup was taken")
    for name in sorted(present - manifest["files"].keys()):
        result.notes.append(f"file {name}: not in the manifest (stored after it was written)")
    return result
