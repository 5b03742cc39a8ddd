"""The Database contract every store relies on, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import psycopg
import pytest

from ivr.store.engine import Database, Dialect, Guard, open_database, table

# What each engine raises when a Guard refuses a statement.
REFUSED = (sqlite3.IntegrityError, psycopg.errors.RaiseException)
# ... and for a statement that breaks a constraint.
CONSTRAINT = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)


@pytest.fixture
def db(db_location: str) -> Iterator[Database]:
    database = open_database(db_location)
    database.create_table(
        table("items", {"id": int, "name": str, "n": int}, pk="id", not_null={"name"})
    )
    database.create_table(table("tags", {"tag": str, "note": str}, pk="tag"))
    yield database
    database.close()


def names(db: Database) -> list[str]:
    return [row["name"] for row in db.query("SELECT name FROM items ORDER BY id")]


def test_question_marks_are_placeholders_outside_quotes_and_a_percent_is_literal(
    db: Database,
) -> None:
    row = db.execute("SELECT '100%' || ?, 'why?', ? || '%d'", ["x", "y"]).fetchone()
    assert tuple(row) == ("100%x", "why?", "y%d")
    assert db.scalar("SELECT 'a % b'") == "a % b"  # no parameters: nothing to format


def test_insert_ignore_keeps_the_row_whose_key_is_taken(db: Database) -> None:
    db.insert("tags", {"tag": "a", "note": "first"})
    db.insert("tags", {"tag": "a", "note": "second"}, ignore=True)
    assert db.query("SELECT tag, note FROM tags") == [{"tag": "a", "note": "first"}]
    with pytest.raises(CONSTRAINT):
        db.insert("tags", {"tag": "a", "note": "third"})


def test_insert_id_returns_each_new_rows_number(db: Database) -> None:
    first = db.insert_id("items", {"name": "one", "n": 1})
    second = db.insert_id("items", {"name": "two", "n": 2})
    assert second > first
    assert db.rows_where("items", "id = ?", [second]) == [{"id": second, "name": "two", "n": 2}]


def test_update_says_how_many_rows_it_changed(db: Database) -> None:
    for name in ("a", "b", "c"):
        db.insert_id("items", {"name": name, "n": 1})
    assert db.update("items", {"n": 1}, {"n": 2}) == 3
    assert db.update("items", {"name": "a"}, {"n": 3}) == 1
    assert db.update("items", {"name": "nobody"}, {"n": 4}) == 0
    assert db.update("items", {"name": "a"}, {}) == 0
    assert db.execute("DELETE FROM items WHERE n = ?", [2]).rowcount == 2


def test_a_nested_transaction_that_fails_undoes_only_its_own_writes(db: Database) -> None:
    with db.transaction():
        db.insert_id("items", {"name": "outer"})
        with pytest.raises(RuntimeError), db.transaction():
            db.insert_id("items", {"name": "inner"})
            raise RuntimeError("the inner part fails")
        db.insert_id("items", {"name": "after"})
    assert not db.in_transaction
    assert names(db) == ["outer", "after"]


def test_a_failing_statement_inside_a_transaction_undoes_the_whole(db: Database) -> None:
    db.insert("tags", {"tag": "taken"})
    with pytest.raises(CONSTRAINT), db.transaction():
        db.insert_id("items", {"name": "written first"})
        db.insert("tags", {"tag": "taken"})
    assert names(db) == [] and db.count("tags") == 1
    db.insert_id("items", {"name": "the connection is usable"})
    assert names(db) == ["the connection is usable"]


def test_a_failed_statement_in_a_savepoint_lets_the_transaction_go_on(db: Database) -> None:
    """What the call log does for a bad record: PostgreSQL would abort the whole
    transaction at the failed statement; the savepoint undoes it alone."""
    db.insert("tags", {"tag": "taken"})
    with db.transaction():
        with pytest.raises(CONSTRAINT), db.transaction():
            db.insert("tags", {"tag": "taken"})
        db.insert_id("items", {"name": "kept"})
    assert names(db) == ["kept"]


def test_table_names_and_columns_describe_the_schema(db: Database) -> None:
    db.execute("CREATE VIEW v_items AS SELECT name FROM items")
    db.add_column("items", "added", str, "")
    db.add_column("items", "added", str, "")  # a second time: no-op
    assert {"items", "tags"} <= set(db.table_names())
    assert "v_items" not in db.table_names()  # tables, not views
    assert db.has_table("items") and not db.has_table("nothing")
    assert db.columns("items") == ["id", "name", "n", "added"]
    assert db.columns("nothing") == []


def test_a_guard_refuses_update_and_delete_with_its_message(db: Database) -> None:
    db.insert_id("items", {"name": "kept"})
    no_update = Guard("items_no_update", "items", "UPDATE", "items are append-only")
    no_delete = Guard("items_no_delete", "items", "DELETE", "items are append-only")
    no_update.make(db)
    no_delete.make(db)
    assert {"items_no_update", "items_no_delete"} <= set(db.trigger_names())
    with pytest.raises(REFUSED, match="items are append-only"):
        db.execute("UPDATE items SET name = 'changed'")
    with pytest.raises(REFUSED, match="items are append-only"):
        db.execute("DELETE FROM items")
    db.insert_id("items", {"name": "appended"})  # inserting is what it allows
    no_delete.drop(db)
    db.execute("DELETE FROM items WHERE name = 'appended'")
    assert names(db) == ["kept"]


def test_the_dialect_reads_json_fields_and_time_differences(db: Database) -> None:
    db.insert("tags", {"tag": "j", "note": '{"queue": "rc", "waited_s": 12.5}'})
    gap = db.seconds_between("'2026-03-02T10:00:00.000+00:00'", "'2026-03-02T10:01:30.000+00:00'")
    got = db.query(
        f"SELECT {db.json_text('note', 'queue')} AS queue,"
        f" {db.json_number('note', 'waited_s')} AS waited,"
        f" {db.json_text('note', 'missing')} AS missing,"
        f" {gap} AS gap"
        " FROM tags"
    )
    assert got == [{"queue": "rc", "waited": 12.5, "missing": None, "gap": pytest.approx(90.0)}]


def test_a_connection_the_server_dropped_is_opened_again_outside_a_transaction(
    pg_url: str,
) -> None:
    """A restart or failover of PostgreSQL: the statement that meets the broken
    connection fails; the next one, outside a transaction, runs on a new one."""
    db = open_database(pg_url)
    try:
        assert db.dialect is Dialect.POSTGRES
        db.execute("CREATE TABLE n (v BIGINT)")
        drop_connection(pg_url, db)
        with pytest.raises(psycopg.OperationalError):
            db.execute("INSERT INTO n VALUES (1)")
        db.execute("INSERT INTO n VALUES (2)")
        assert db.query("SELECT v FROM n") == [{"v": 2}]
    finally:
        db.close()


def test_a_transaction_the_server_dropped_is_not_finished_on_a_new_connection(
    pg_url: str,
) -> None:
    db = open_database(pg_url)
    try:
        db.execute("CREATE TABLE n (v BIGINT)")
        with pytest.raises(psycopg.OperationalError), db.transaction():
            db.execute("INSERT INTO n VALUES (1)")
            drop_connection(pg_url, db)
            db.execute("INSERT INTO n VALUES (2)")
        assert not db.in_transaction
        assert db.query("SELECT v FROM n") == []  # neither half
    finally:
        db.close()


def drop_connection(url: str, db: Database) -> None:
    """End ``db``'s server process from another connection, and wait until it is gone."""
    pid = db.scalar("SELECT pg_backend_pid()")
    with psycopg.connect(url, autocommit=True) as admin:
        ended = admin.execute("SELECT pg_terminate_backend(%s, 10000)", [pid]).fetchone()
    assert ended == (True,)
