"""The two writes a run makes for every recipient, at the cost of the database driver.

Claiming a delivery row and marking it sent happen once per message, between SMTP round
trips. Building a Core statement, computing its cache key and processing its parameters
each time costs several times what the database itself needs for an UPDATE and a commit
(see the newsletter section of benchmarks/README.md). So each statement is built with Core
once, compiled once for the run's database, and executed on the driver's own cursor of
the run's connection. That connection is in autocommit mode: each UPDATE is committed by
the time `execute` returns (one round trip to PostgreSQL, not two).

On PostgreSQL that round trip is hidden behind the SMTP exchange: `claim` and
`mark_sent` only send the statement (libpq's asynchronous query: one statement in
flight at a time, committed on its own as in autocommit), and `result()` reads its
answer when the job needs it — the claim's just before the message's final dot, so a
claim that failed or lost its row still stops the message. On SQLite the write is done
at once and `result()` returns what it did.
"""

import datetime

import psycopg
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

    def values(self, **values):
        params = dict(self.defaults)
        for name, value in values.items():
            process = self.processors.get(name)
            params[name] = value if process is None or value is None else process(value)
        if self.order is not None:
            params = tuple(params[name] for name in self.order)
        return params

    def run(self, cursor, **values):
        cursor.execute(self.sql, self.values(**values))
        return cursor.rowcount


class Ledger:
    """The delivery rows of one run, on the run's connection (a SQLAlchemy Connection)."""

    answers_later = False  # result() is known as soon as a write returns

    def __init__(self, connection, run_id, paramstyle=None):
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            raise ValueError("the ledger commits each statement: autocommit connection only")
        table = Delivery.__table__
        dialect = connection.dialect
        if paramstyle is not None:  # compiling only: an uninitialized dialect will do
            dialect = type(dialect)(paramstyle=paramstyle)
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
        self._done = None

    def claim(self, delivery_id, at):
        """pending → sending (a compare-and-set); `result()` is 1 if this run won the row,
        once committed."""
        self._send(self._claim, row=delivery_id, at=at)

    def mark_sent(self, delivery_id, at):
        """sending (or unknown, if a newer run decided so meanwhile) → sent; committed once
        `result()` returned."""
        self._send(self._mark, row=delivery_id, at=at)

    def _send(self, prepared, **values):
        self.result()  # one statement in flight at most (and its error raised first)
        self._done = prepared.run(self.cursor, **values)

    def result(self):
        """The row count of the last write, committed (its error raised here)."""
        return self._done

    def close(self):
        self.cursor.close()


class AsyncLedger(Ledger):
    """PostgreSQL: `claim` and `mark_sent` send their statement and return at once;
    `result()` waits for the answer of the one in flight."""

    answers_later = True

    def __init__(self, connection, run_id):
        # The same statements, compiled with $n placeholders for libpq itself.
        super().__init__(connection, run_id, paramstyle="numeric_dollar")
        self.pgconn = self.dbapi.pgconn
        self._names = {}
        for prepared, name in (
            (self._claim, b"newsletter_claim"),
            (self._mark, b"newsletter_mark"),
        ):
            _check(self.pgconn.prepare(name, prepared.sql.encode()))
            self._names[prepared] = name
        self._in_flight = False

    def _send(self, prepared, **values):
        self.result()
        params = [_text(value) for value in prepared.values(**values)]
        self.pgconn.send_query_prepared(self._names[prepared], params)
        # Try to write it out now (a few hundred bytes: it fits the socket's buffer);
        # whatever would remain is written by get_result().
        self.pgconn.flush()
        self._in_flight = True

    def result(self):
        if self._in_flight:
            self._in_flight = False
            answer = self.pgconn.get_result()
            while self.pgconn.get_result() is not None:  # the end of this query's results
                pass
            self._done = _check(answer).command_tuples
        return self._done


def _check(result):
    if result is None:  # no answer at all: libpq lost the connection
        raise psycopg.OperationalError("the connection to the database was lost")
    if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.error_from_result(result)
    return result


def _text(value):
    """A parameter in PostgreSQL's text format (its type is the column's, inferred)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat().encode()
    return str(value).encode()
