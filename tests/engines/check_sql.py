#!/usr/bin/env python3
"""Proof on real engines: ruleport's `sql:duckdb`, `sql:postgres` and `sql:sqlite` output, executed.

Compiles the catalog, every conformance and regression case (as a one-off rule on the log
type `Test.Conformance`) and a set of hostile cases (odd literals, keys, numbers, regexes)
with the given `ruleport` binary, loads each test event into a fresh table, runs the
query and compares the verdict with the expected one. The SQLite output runs in the
`sqlite3` shell, whose REGEXP is SQLite's own regexp extension (ruleport's tests run it
with a REGEXP backed by Rust's `regex`). `ruleport test` first confirms that
every expected verdict is the evaluator's. A case listed as a divergence for an engine
must really diverge there. The `sql:snowflake` output is parsed with sqlglot (there is no
Snowflake engine here): parsed, not executed.

PostgreSQL runs as a throw-away server on a Unix socket in a temporary directory (as the
`postgres` user when run as root), stopped afterwards.

Needs: duckdb==1.5.6, psycopg[binary]==3.3.9, sqlglot==30.30.0, pyyaml==6.0.3,
PostgreSQL's server binaries (initdb, pg_ctl) and the `sqlite3` shell.

Usage: check_sql.py --ruleport target/release/ruleport [--pg-bindir DIR]
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import psycopg
import sqlglot
import yaml

REPO = Path(__file__).resolve().parents[2]
ENGINES = ("duckdb", "postgres", "sqlite")
TARGETS = "sql:duckdb,sql:postgres,sql:sqlite,sql:snowflake"


class Case:
    """A one-off rule: its condition, its test events and what each engine must say."""

    def __init__(self, ident, condition, tests, refused=(), diverges=()):
        self.ident = ident
        self.condition = condition
        # (name, event as JSON text, expected verdict)
        self.tests = tests
        # Engines that must refuse to compile the rule.
        self.refused = set(refused)
        # Engines whose verdict must differ from the expected one (documented).
        self.diverges = set(diverges)

    def rule_text(self):
        # The condition as a JSON string, which YAML reads as a double-quoted scalar: a
        # U+2028 in it stays a character (YAML 1.1 would read it raw as a line break).
        tests = "".join(
            f"  - Name: {json.dumps(name)}\n"
            f"    ExpectedResult: {'true' if expected else 'false'}\n"
            f"    Log: {event}\n"
            for name, event, expected in self.tests
        )
        return (
            f"RuleID: {json.dumps('Check.' + self.ident)}\n"
            f"DisplayName: {json.dumps('check ' + self.ident)}\n"
            "LogTypes: [Test.Conformance]\n"
            "Severity: Info\n"
            f"Condition: {event(self.condition)}\n"
            f"Tests:\n{tests}"
        )


def lang_string(text):
    """A double-quoted string literal of the condition language."""
    out = ['"']
    for c in text:
        if c in '\\"':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0:
            out.append("\\u{%x}" % ord(c))
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def lang_key(key):
    """A backticked path segment."""
    return "`" + key.replace("`", "``") + "`"


def escaped_key(value):
    """Whether a key of the event is written with an escape in its JSON text, which the
    sqlite3 shell's SQLite (3.40, Debian 12) does not find (docs/targets/sql.md)."""
    if isinstance(value, dict):
        return any("\\" in event(key) or escaped_key(inner) for key, inner in value.items())
    if isinstance(value, list):
        return any(escaped_key(inner) for inner in value)
    return False


def event(value):
    """JSON text that is also a YAML flow value: C1 controls, DEL and the line and paragraph
    separators (line breaks to YAML 1.1) escaped too."""
    text = json.dumps(value, ensure_ascii=False)
    escaped = lambda c: 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029"
    return "".join(f"\\u{ord(c):04x}" if escaped(c) else c for c in text)


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2's floats, as ruleport reads them: `1e-7` is a
    number, where YAML 1.1 (PyYAML's own) reads it as a string."""


Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


def conformance_cases():
    cases = []
    for prefix, path in [
        ("conformance", REPO / "tests" / "conformance.yml"),
        ("regression", REPO / "tests" / "cases" / "regressions.yml"),
    ]:
        with open(path, encoding="utf-8") as file:
            data = yaml.load(file, Loader=Yaml12Loader)
        for case in data["cases"]:
            if "event" not in case:
                continue
            diverges = set(case.get("divergence_allowed", [])) & set(ENGINES)
            if escaped_key(case["event"]):
                diverges.add("sqlite")
            tests = [(case["id"], event(case["event"]), case["expected"])]
            ident = f"{prefix}.{case['id']}"
            cases.append(Case(ident, case["condition"], tests, (), diverges))
    return cases


HOSTILE = [
    "it's",
    'say "hi"',
    "back\\slash",
    "C:\\Windows\\",
    "line1\nline2\r\n",
    "tab\there",
    "100% a_b *?",
    "é ΣΑΣ 𝒜",
    "' OR '1'='1",
    "'; DROP TABLE x; --",
    "{x} {needle} {re} {path}",
    "$.a[0]",
    "\\\\'\\",
    "' || chr(0) || '",
    "\x01\x1f\x7f",
]

ODD_KEYS = [
    "odd key",
    "a.b",
    "quote'key",
    "back\\slash",
    "{path}",
    "1",
    "comma,brace{}",
    "ünï",
    "tick`key",
    "",
    "NULL",
]

# Numbers as written in an event, and their text per LANGUAGE.md.
NUMBERS = [
    ("0", "0"),
    ("-0.0", "0"),
    ("1.0", "1"),
    ("1.50", "1.5"),
    ("0.1", "0.1"),
    ("1e-7", "0.0000001"),
    ("-1.5e-7", "-0.00000015"),
    ("123456.789", "123456.789"),
    ("1000000000000000.5", "1000000000000000.5"),
    ("1e15", "1000000000000000"),
    ("0.30000000000000004", "0.30000000000000004"),
    ("2.5e-5", "0.000025"),
    ("5e-324", "0." + "0" * 323 + "5"),
    ("2251799813685248.5", "2251799813685248.5"),
    ("12345678901234567890", "12345678901234567890"),
    ("1e21", "1000000000000000000000"),
    ("1.5e300", "15" + "0" * 299),
]


def sqlite_text_differs(text):
    """Whether SQLite's printf writes a number's text otherwise (docs/targets/sql.md): below
    1e-4, from 2^53 up, or with more than 16 significant digits."""
    value = abs(float(text))
    digits = len(text.lstrip("-").replace(".", "").strip("0"))
    return 0 < value < 1e-4 or value >= 2**53 or digits > 16


def hostile_cases():
    cases = []
    for i, text in enumerate(HOSTILE):
        literal = lang_string(text)
        refused = {"postgres"} if "\0" in text else set()
        cases.append(
            Case(
                f"literal.eq.{i}",
                f"a eq_cs {literal}",
                [("same", event({"a": text}), True), ("longer", event({"a": text + "x"}), False)],
                refused,
            )
        )
        cases.append(
            Case(
                f"literal.contains.{i}",
                f"a contains {literal}\nb startswith {literal}\nc endswith {literal}",
                [
                    ("inside", event({"a": f"<{text}>", "b": text + ">", "c": "<" + text}), True),
                    ("apart", event({"a": text[:-1], "b": ">" + text, "c": text + ">"}), False),
                ],
                refused,
            )
        )
        cases.append(
            Case(
                f"literal.ne.{i}",
                f"a ne {literal}",
                [("same", event({"a": text}), False), ("missing", event({}), True)],
                refused,
            )
        )
    for i, key in enumerate(ODD_KEYS):
        plain = f"{lang_key(key)} eq \"v\""
        nested = f"x.{lang_key(key)}.y eq \"v\""
        cases.append(
            Case(
                f"key.{i}",
                f"{plain}\n{nested}",
                [
                    ("found", event({key: "v", "x": {key: {"y": "V"}}}), True),
                    ("other case", event({key.upper() + "_": "v", "x": {}}), False),
                ],
                refused=({"duckdb", "snowflake"} if key == "" else set())
                | ({"sqlite"} if '"' in key or "\\" in key else set()),
            )
        )
    long = "x" * 60
    cases.append(
        Case(
            "key.long-names",
            f'{long}.a1 eq "1"\n{long}.a2 eq "2"\n{long}.a1 ne "2"',
            [
                ("both", event({long: {"a1": "1", "a2": "2"}}), True),
                ("swapped", event({long: {"a1": "2", "a2": "1"}}), False),
            ],
        )
    )
    cases.append(
        Case(
            "key.index-is-not-a-key",
            'a[1] eq "x"',
            [
                ("object with key 1", event({"a": {"1": "x"}}), False),
                ("array", event({"a": ["w", "x"]}), True),
            ],
        )
    )
    cases.append(
        Case(
            "key.key-is-not-an-index",
            'a.`1` eq "x"',
            [
                ("array", event({"a": ["w", "x"]}), False),
                ("object", event({"a": {"1": "x"}}), True),
            ],
        )
    )
    for i, (written, text) in enumerate(NUMBERS):
        condition = f"a eq {lang_string(text)}\nb[*] eq {lang_string(text)}"
        cases.append(
            Case(
                f"number.text.{i}",
                condition,
                [("its text", f'{{"a": {written}, "b": [{written}]}}', True)],
                diverges={"sqlite"} if sqlite_text_differs(text) else set(),
            )
        )
        cases.append(
            Case(
                f"number.text.{i}.string",
                condition,
                [("as a string", event({"a": text + " ", "b": []}), False)],
            )
        )
    cases += [
        Case(
            "number.string-infinity",
            "a gt 10\nb lt 0\nc eq 0",
            [("huge, tiny", event({"a": "1e400", "b": "-1e400", "c": "1e-400"}), True)],
        ),
        Case(
            "number.compare-doubles",
            "a eq 0.30000000000000004\nb gt 0.3\nc ge 1e3\nd le -2.5e-5",
            [
                (
                    "strings and numbers",
                    event({"a": 0.1 + 0.2, "b": "0.30000000000000004", "c": "1000", "d": -2.5e-5}),
                    True,
                ),
                ("equal", event({"a": 0.3, "b": "0.3", "c": 999.9, "d": 0}), False),
            ],
        ),
        Case(
            "number.huge-in-event",
            "a gt 1\nb is_not_null",
            [("beyond double", '{"a": "1e999", "b": 1e308}', True)],
        ),
        Case(
            "regex.dot-not-newline",
            "a regex_cs 'a.b'",
            [("newline", event({"a": "a\nb"}), False), ("other", event({"a": "a\rb"}), True)],
        ),
        Case(
            "regex.dollar-at-end-only",
            "a regex 'b$'",
            [("trailing newline", event({"a": "ab\n"}), False), ("end", event({"a": "ab"}), True)],
        ),
        Case(
            "regex.negated-class-newline",
            "a regex_cs '^a[^x]b$'",
            [("newline", event({"a": "a\nb"}), True), ("x", event({"a": "axb"}), False)],
        ),
        Case(
            "regex.odd-class",
            "a regex_cs '^[\\]\\-^\\\\\\[a]+$'",
            [("members", event({"a": "]-^\\[a"}), True), ("other", event({"a": "b"}), False)],
        ),
        Case(
            "regex.unicode-folding",
            "a regex 'émile'\nb regex '^[a-z]+$'",
            [("upper", event({"a": "ÉMILE", "b": "ABC"}), True)],
            # SQLite's lower() folds ASCII letters only (docs/targets/sql.md).
            diverges={"sqlite"},
        ),
        Case(
            "regex.any-character-at-the-end",
            "a regex_cs 'id 462[\\s\\S]'\nb regex '^x[\\s\\S]*$'",
            [
                ("one more", event({"a": "id 4621", "b": "X\ny"}), True),
                ("nothing after", event({"a": "id 462", "b": "x"}), False),
            ],
        ),
        Case(
            "regex.count-of-zero",
            "a regex '^ab{0}c$'\nb regex_cs '^[^a-z]+$'",
            [("ac", event({"a": "AC", "b": "42"}), True), ("abc", event({"a": "abc", "b": "4"}), False)],
        ),
        Case(
            "regex.escapes",
            "a regex_cs '\\.\\*\\+\\?\\(\\)\\{\\}\\|\\$\\^/\\t'",
            [("literal", event({"a": "x.*+?(){}|$^/\tx"}), True), ("no", event({"a": "x"}), False)],
        ),
        Case(
            "regex.large-repeat",
            "a regex 'x{300}'",
            [("300", event({"a": "x" * 300}), True), ("299", event({"a": "x" * 299}), False)],
            refused={"postgres"},
        ),
        Case(
            "empty.object-with-space",
            "a is_empty\nb is_not_empty",
            [("spaces", '{"a": { }, "b": { "k": [ ] }}', True)],
        ),
        Case(
            "star.element-null-and-types",
            "a[*] is_null\nb[*].c[*] gt 1\nd[*] eq true",
            [
                (
                    "nested",
                    event({"a": [None], "b": [{"c": "x"}, {"c": [1, "2"]}], "d": [False, "TRUE"]}),
                    True,
                ),
                ("scalars", event({"a": [0], "b": {"c": [5]}, "d": True}), False),
            ],
        ),
    ]
    return cases


def catalog_tests():
    """The catalog's rule files with their tests (name, event as JSON text, expected)."""
    rules = {}
    for path in sorted((REPO / "rules").rglob("*.yml")):
        with open(path, encoding="utf-8") as file:
            rule = yaml.safe_load(file)
        tests = [
            (test["Name"], json.dumps(test["Log"]), test["ExpectedResult"])
            for test in rule.get("Tests", [])
        ]
        rules[path.stem] = tests
    return rules


def run(command, **kwargs):
    return subprocess.run(command, check=False, text=True, capture_output=True, **kwargs)


def table_of(sql):
    """The table a query reads, from its header comment (`-- Table NAME: ...`)."""
    for line in sql.splitlines():
        if line.startswith("-- Table "):
            return line[len("-- Table ") :].split(":", 1)[0]
    raise ValueError("no table in the query's header")


class Duckdb:
    name = "duckdb"

    def __init__(self):
        self.connection = duckdb.connect()
        # A long query would draw a progress bar on stdout.
        self.connection.execute("SET enable_progress_bar = false")

    def matches(self, sql, table, text):
        quoted = '"' + table.replace('"', '""') + '"'
        self.connection.execute(f"CREATE OR REPLACE TABLE {quoted} (event JSON)")
        self.connection.execute(f"INSERT INTO {quoted} VALUES (?)", [text])
        return bool(self.connection.execute(sql).fetchall())


class SqliteShell:
    """The `sqlite3` shell, one in-memory database per event."""

    name = "sqlite"

    def __init__(self):
        found = shutil.which("sqlite3")
        if not found:
            sys.exit("no sqlite3 shell found: install Debian's `sqlite3`")
        self.program = found

    def matches(self, sql, table, text):
        quoted = '"' + table.replace('"', '""') + '"'
        value = "'" + text.replace("'", "''") + "'"
        script = f"CREATE TABLE {quoted} (event TEXT);\nINSERT INTO {quoted} VALUES ({value});\n"
        result = run([self.program, "-bail", ":memory:"], input=script + sql)
        if result.returncode != 0 or result.stderr:
            raise RuntimeError(f"sqlite3 failed: {result.stderr.strip()}")
        return bool(result.stdout)


class Postgres:
    """A throw-away server on a Unix socket in a temporary directory."""

    name = "postgres"

    def __init__(self, bindir):
        self.bindir = Path(bindir)
        self.dir = Path(tempfile.mkdtemp(prefix="ruleport-pg-"))
        self.as_user = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        data = self.dir / "data"
        self.pg(["initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8"])
        options = f"-k {self.dir} -c listen_addresses=''"
        self.pg(["pg_ctl", "-D", str(data), "-o", options, "-l", str(self.dir / "log"), "-w",
                 "start"])
        self.connection = psycopg.connect(host=str(self.dir), user="postgres",
                                          dbname="postgres", autocommit=True)

    def pg(self, command):
        program = str(self.bindir / command[0])
        result = run(self.as_user + [program] + command[1:])
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{result.stdout}{result.stderr}")

    def matches(self, sql, table, text):
        quoted = '"' + table.replace('"', '""') + '"'
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quoted}")
            cursor.execute(f"CREATE TABLE {quoted} (event jsonb)")
            cursor.execute(f"INSERT INTO {quoted} VALUES (%s::jsonb)", [text])
            cursor.execute(sql)
            return bool(cursor.fetchall())

    def close(self):
        self.connection.close()
        self.pg(["pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


def default_bindir():
    found = shutil.which("pg_config")
    if found:
        result = run([found, "--bindir"])
        if result.returncode == 0 and (Path(result.stdout.strip()) / "initdb").exists():
            return result.stdout.strip()
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if candidates:
        return str(Path(candidates[-1]).parent)
    sys.exit("no PostgreSQL server binaries found: install Debian's `postgresql`")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ruleport", required=True, help="the ruleport binary")
    parser.add_argument("--pg-bindir", help="directory with initdb and pg_ctl")
    args = parser.parse_args()
    ruleport = str(Path(args.ruleport).resolve())

    work = Path(tempfile.mkdtemp(prefix="ruleport-sql-"))
    try:
        return check(ruleport, args.pg_bindir or default_bindir(), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check(ruleport, bindir, work):
    cases = conformance_cases() + hostile_cases()
    rules = work / "rules"
    rules.mkdir()
    for case in cases:
        (rules / f"{case.ident}.yml").write_text(case.rule_text(), encoding="utf-8")

    evaluated = run([ruleport, "test", str(rules), str(REPO / "rules")])
    if evaluated.returncode != 0:
        print(evaluated.stdout, evaluated.stderr)
        print("FAIL: an expected verdict is not the evaluator's")
        return 1
    out = work / "out"
    run([ruleport, "compile", "--target", TARGETS, "--out", str(out), str(rules),
         str(REPO / "rules")])

    expectations = {case.ident: case for case in cases}
    for stem, tests in catalog_tests().items():
        expectations[stem] = Case(stem, "", tests)

    failures = []
    passed = 0
    engines = [Duckdb(), SqliteShell(), Postgres(bindir)]
    try:
        for stem, case in sorted(expectations.items()):
            for engine in engines:
                passed += check_case(engine, out, stem, case, failures)
            passed += parse_snowflake(out, stem, case, failures)
    finally:
        engines[-1].close()

    for failure in failures:
        print(f"FAIL {failure}\n")
    print(f"check_sql: {passed} passed, {len(failures)} failed")
    return 1 if failures else 0


def read(path):
    """A compiled file exactly as written (a carriage return in a literal stays)."""
    with open(path, encoding="utf-8", newline="") as file:
        return file.read()


def check_case(engine, out, stem, case, failures):
    path = out / f"sql-{engine.name}" / f"{stem}.sql"
    if engine.name in case.refused:
        if path.exists():
            failures.append(f"{engine.name} {stem}: compiled, but must be refused")
            return 0
        return 1
    if not path.exists():
        failures.append(f"{engine.name} {stem}: did not compile")
        return 0
    sql = read(path)
    passed = 0
    for name, text, expected in case.tests:
        try:
            verdict = engine.matches(sql, table_of(sql), text)
        except Exception as error:  # an engine error is a failed case, reported in full
            failures.append(f"{engine.name} {stem} / {name}: {error}\n{sql}")
            continue
        must_diverge = engine.name in case.diverges
        if verdict != (expected != must_diverge):
            failures.append(
                f"{engine.name} {stem} / {name}: says {verdict}, expected {expected}"
                f"{' (a documented divergence)' if must_diverge else ''}\nevent {text}\n{sql}"
            )
        else:
            passed += 1
    return passed


def parse_snowflake(out, stem, case, failures):
    path = out / "sql-snowflake" / f"{stem}.sql"
    if "snowflake" in case.refused:
        if path.exists():
            failures.append(f"snowflake {stem}: compiled, but must be refused")
            return 0
        return 1
    if not path.exists():
        failures.append(f"snowflake {stem}: did not compile")
        return 0
    sql = read(path)
    try:
        sqlglot.parse_one(sql, read="snowflake")
    except sqlglot.errors.SqlglotError as error:
        failures.append(f"snowflake {stem}: sqlglot cannot parse it: {error}\n{sql}")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
