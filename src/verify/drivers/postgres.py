"""ruleport's PostgreSQL driver: each job's event alone in its table (`event jsonb`), then
the query. With RULEPORT_POSTGRES_URL it works in a temporary schema of that database;
otherwise it runs a throw-away server on a Unix socket in a temporary directory."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

import psycopg


def server_binary(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        sys.exit(f"no `{name}`: install the PostgreSQL server (Debian: apt-get install postgresql)")
    return candidates[-1]


class Server:
    """A private server: initdb, then pg_ctl on a socket directory, no TCP listener."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ruleport-pg-")
        # initdb refuses to run as root: the server then runs as the `postgres` user.
        self.prefix = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.data = os.path.join(self.dir, "data")
        self.run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8")
        options = f"-k {self.dir} -c listen_addresses=''"
        self.run("pg_ctl", "-D", self.data, "-o", options, "-l",
                 os.path.join(self.dir, "log"), "-w", "start")

    def run(self, program, *args):
        command = self.prefix + [server_binary(program), *args]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"{program} failed: {result.stdout}{result.stderr}")

    def connect(self):
        return psycopg.connect(host=self.dir, user="postgres", dbname="postgres",
                               autocommit=True)

    def stop(self):
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def answer(cursor, job):
    table = quote(job["table"])
    try:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} (event jsonb)")
        cursor.execute(f"INSERT INTO {table} VALUES (%s::jsonb)", [json.dumps(job["event"])])
        cursor.execute(job["query"])
        return {"verdict": bool(cursor.fetchall())}
    except psycopg.Error as error:
        return {"error": str(error).strip()}


def main():
    jobs = json.load(sys.stdin)
    url = os.environ.get("RULEPORT_POSTGRES_URL")
    server = None if url else Server()
    try:
        connection = psycopg.connect(url, autocommit=True) if url else server.connect()
        with connection, connection.cursor() as cursor:
            schema = f"ruleport_verify_{os.getpid()}"
            cursor.execute(f"CREATE SCHEMA {schema}")
            cursor.execute(f"SET search_path TO {schema}")
            answers = [answer(cursor, job) for job in jobs]
            cursor.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        if server:
            server.stop()
    json.dump(answers, sys.stdout)


main()
