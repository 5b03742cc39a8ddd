"""A PostgreSQL 15 server for the tests, from the installed binaries, in a temporary folder.

Listens on a Unix socket in that folder only (no TCP port to collide on). PostgreSQL
refuses to run as root, so under root (CI) the folder is given to the ``postgres``
account and the server runs as it (runuser). Each test gets a schema of its own
(``search_path`` in its URL), so tests share one server and never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

PG_BIN = Path(os.environ.get("IVR_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
PORT = 5432  # only names the socket file: nothing listens on TCP


class PostgresServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.socket_dir = folder

    @staticmethod
    def available() -> bool:
        return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()

    def _run(self, *argv: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*prefix, *argv], check=True, capture_output=True, text=True, cwd=self.folder
        )

    def start(self, *, durable: bool = False) -> None:
        """``durable``: PostgreSQL's own defaults (fsync, synchronous commit), for figures
        a deployment would see; the tests run without them."""
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={self.socket_dir}"
            f" -c port={PORT} -c max_connections=200 -c shared_buffers=32MB"
        )
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "start",
        )
        self.admin("CREATE DATABASE ivr")

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, schema: str | None = None, database: str = "ivr") -> str:
        url = f"postgresql://postgres@/{database}?host={quote(str(self.socket_dir))}&port={PORT}"
        if schema:
            url += "&options=" + quote(f"-csearch_path={schema}")
        return url

    def admin(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database=database), autocommit=True) as conn:
            conn.execute(sql.encode())

    @contextmanager
    def schema(self) -> Iterator[str]:
        """A fresh schema's URL; dropped with everything in it afterwards."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin(f"CREATE SCHEMA {name}", database="ivr")
        try:
            yield self.url(name)
        finally:
            self.admin(f"DROP SCHEMA {name} CASCADE", database="ivr")


@contextmanager
def running_postgres(*, durable: bool = False) -> Iterator[PostgresServer]:
    folder = Path(tempfile.mkdtemp(prefix="ivr-pg-"))
    server = PostgresServer(folder)
    try:
        server.start(durable=durable)
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
