"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DDL, DateTime, Table, event
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator


def append_only(table: Table) -> tuple[str, str]:
    """On PostgreSQL the database itself refuses to change or delete the table's rows: a trigger made
    with the table (and by its migration, from the function and trigger returned)."""
    function = f"""
CREATE OR REPLACE FUNCTION {table.name}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table.name} is append-only';
END;
$$ LANGUAGE plpgsql
"""
    trigger = f"""
CREATE TRIGGER {table.name}_append_only BEFORE UPDATE OR DELETE ON {table.name}
FOR EACH ROW EXECUTE FUNCTION {table.name}_append_only()
"""
    for ddl in (function, trigger):
        event.listen(table, "after_create", DDL(ddl).execute_if(dialect="postgresql"))
    return function, trigger


def utcnow() -> datetime:
    return datetime.now(UTC)


def column_length(column: InstrumentedAttribute) -> int | None:
    """The most characters a String column holds (None for Text): the limit of whatever feeds it."""
    return getattr(column.property.columns[0].type, "length", None)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC and always returns an aware UTC datetime, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
