"""The two writes a run makes for every recipient, at the cost of the database driver.

Claiming a delivery row and marking it sent happen once per message, between SMTP round
trips. Building a Core statement, computing its cache key and processing its parameters
each time costs several times what the database itself needs for an UPDATE and a commit
(see the newsletter section of benchmarks/README.md). So each statement is built with Core
once, compiled once for the run's database, and executed on the driver's own cursor of
the run's connection. That connection is in autocommit mode: each UPDATE is committed by
the time `execute` returns (one round trip to PostgreSQL, not two).
"""

from sqlalchemy import bindparam, or_

from app.models.newsletter import Delivery


class Prepared:
    """A Core statement compiled once for one dialect; `run` executes it on a DB-API
    cursor with the values of its `variables` (bind parameters named by bindparam)."""

    def __init__(self, statement, dialect, variables):
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.defaults = compiled.construct_params(dict.fromkeys(variables))
        self.order = tuple(compiled.positiontup) if compiled.positional else None
        self.processors = {}
        for name in variables:
            process = dialect.type_descriptor(compiled.binds[name].type).bind_processor(dialect)
            if process is not None:
                self.processors[name] = process

    def run(self, cursor, **values):
        params = dict(self.defaults)
        for name, value in values.items():
            process = self.processors.get(name)
            params[name] = value if process is None or value is None else process(value)
        if self.order is not None:
            params = tuple(params[name] for name in self.order)
        cursor.execute(self.sql, params)
        return cursor.rowcount


class Ledger:
    """The delivery rows of one run, on the run's connection (a SQLAlchemy Connection)."""

    def __init__(self, connection, run_id):
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            raise ValueError("the ledger commits each statement: autocommit connection only")
        table = Delivery.__table__
        dialect = connection.dialect
        self.dbapi = connection.connection.dbapi_connection
        self.cursor = self.dbapi.cursor()
        self._claim = Prepared(
            table.update()
            .where(table.c.id == bindparam("row"), table.c.status == "pending")
            .values(
                status="sending",
                run_id=run_id,
                claimed_at=bindparam("at"),
                attempts=table.c.attempts + 1,
            ),
            dialect,
            ("row", "at"),
        )
        self._mark = Prepared(
            table.update()
            .where(
                table.c.id == bindparam("row"),
                or_(table.c.status == "sending", table.c.status == "unknown"),
            )
            .values(status="sent", sent_at=bindparam("at"), error=None),
            dialect,
            ("row", "at"),
        )

    def claim(self, delivery_id, at):
        """pending → sending, committed; True if this run won the row (compare-and-set)."""
        return self._claim.run(self.cursor, row=delivery_id, at=at) == 1

    def mark_sent(self, delivery_id, at):
        """sending (or unknown, if a newer run decided so meanwhile) → sent, committed."""
        self._mark.run(self.cursor, row=delivery_id, at=at)

    def close(self):
        self.cursor.close()
