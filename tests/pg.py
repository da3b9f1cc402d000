"""A throwaway PostgreSQL server for the tests, started from the machine's PostgreSQL binaries.

``make test`` installs PostgreSQL with the system's package manager when it is missing
(see the Makefile); this module only finds the binaries, makes a cluster in a temporary folder,
starts it on a free port and stops it again.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, if PostgreSQL is installed."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One PostgreSQL cluster on 127.0.0.1, owned by an unprivileged user when run as root."""

    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed (make test installs it)")
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="lobbot-pg-"))
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        """Start the server; returns the URL of its ``lobbot`` database."""
        if self.user:
            shutil.chown(self.dir, self.user)
        data = self.dir / "data"
        self._run(
            "initdb", "-D", str(data), "-U", "lobbot", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        options = f"-p {self.port} -k {self.dir} -c fsync=off -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(self.dir / "log"), "-w", "start"
        )
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "lobbot", "lobbot")
        return self.url("lobbot")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://lobbot@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
