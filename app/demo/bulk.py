"""Fast inserts of generated rows: COPY on PostgreSQL, executemany elsewhere; id and sequence bookkeeping."""
from __future__ import annotations

import json

from sqlalchemy import JSON, Table, func, insert, select
from sqlalchemy.engine import Connection

from ..models import (ChangeLog, Employee, RiwayatAnak, RiwayatDiklat, RiwayatGolongan, RiwayatHukdis,
                      RiwayatJabatan, RiwayatPasangan, RiwayatPendidikan, RiwayatPenghargaan, RiwayatPindahInstansi,
                      RiwayatPindahUnit)

# Parents before children: foreign keys are checked row by row.
TABLES: tuple[Table, ...] = tuple(model.__table__ for model in (
    Employee, ChangeLog, RiwayatPasangan, RiwayatAnak, RiwayatJabatan, RiwayatPendidikan, RiwayatDiklat,
    RiwayatGolongan, RiwayatPenghargaan, RiwayatHukdis, RiwayatPindahInstansi, RiwayatPindahUnit))


class IdCounter:
    """Hands out ids per table: from 1 within a chunk, or after the largest stored id (from_database)."""

    def __init__(self, start: dict[str, int] | None = None):
        self.next = start or dict.fromkeys((t.name for t in TABLES), 1)

    @classmethod
    def from_database(cls, connection: Connection) -> IdCounter:
        return cls({t.name: (connection.scalar(select(func.max(t.c.id))) or 0) + 1 for t in TABLES})

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value

    def place(self, tables: dict[str, list[dict]], stamp) -> None:
        """Shift a chunk built with ids from 1 to the next free ids, and stamp its rows."""
        offsets = {name: self.next[name] - 1 for name in self.next}
        for name, rows in tables.items():
            shift, owner = offsets[name], offsets["employees"]
            for row in rows:
                row["id"] += shift
                row["created_at"] = stamp
                if "employee_id" in row:
                    row["employee_id"] += owner
            self.next[name] += len(rows)
        for row in tables.get("riwayat_anak", ()):
            if row["pasangan_id"] is not None:
                row["pasangan_id"] += offsets["riwayat_pasangan"]
        for row in tables.get("employees", ()):
            row["updated_at"] = stamp


class BulkWriter:
    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def write(self, table: Table, rows: list[dict]) -> None:
        if not rows:
            return
        columns = [column.name for column in table.columns]
        if self.postgres:
            self._copy(table, columns, rows)
        else:
            self.connection.execute(insert(table), [{name: row.get(name) for name in columns} for row in rows])

    def _copy(self, table: Table, columns: list[str], rows: list[dict]) -> None:
        quote = self.connection.dialect.identifier_preparer.quote
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        driver = self.connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            if json_columns:
                for row in rows:
                    copy.write_row([_json(row.get(c)) if c in json_columns else row.get(c) for c in columns])
            else:
                for row in rows:
                    copy.write_row([row.get(c) for c in columns])

    def reset_sequences(self) -> None:
        """Point each PostgreSQL id sequence past the ids assigned here, so ORM inserts keep working."""
        if not self.postgres:
            return
        for table in TABLES:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                f"(SELECT MAX(id) IS NOT NULL FROM {table.name}))")

    def analyze(self) -> None:
        if self.postgres:
            for table in TABLES:
                self.connection.exec_driver_sql(f"ANALYZE {table.name}")


def _json(value):
    return None if value is None else json.dumps(value, ensure_ascii=False)
