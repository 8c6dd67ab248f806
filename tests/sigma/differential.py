#!/usr/bin/env python3
"""Differential check of ruleport's Sigma translations against pySigma's, run on SQLite.

For every Sigma rule that both tools translate for SQLite:

- pySigma 1.5.1 with pySigma-backend-sqlite 2.0.0 (no processing pipeline) writes a
  `SELECT * FROM logs WHERE ...` over a flat table with one column per Sigma field name;
- `ruleport import sigma` (with an empty log source table, so that every Sigma field name
  is the event path it names, `.` as nesting) and `ruleport compile --target sql` write a
  query over a table of JSON events (docs/targets/sql.md);
- events are made from the rule's own values (tests/sigma/sigma_events.py), each loaded as
  a flat row for pySigma's query and as a JSON event for ruleport's, in one in-memory
  SQLite database of Python's `sqlite3`, and both queries run;
- the same events go into the imported rule's `Tests` (ExpectedResult: pySigma's verdict),
  and `ruleport test --format json` gives the reference evaluator's verdict;
- the Sigma specification's verdict (sigma_events.spec_matches) is computed beside them.

Every event on which the three verdicts are not all the same is a disagreement; so is one
on which the three agree and the specification does not. Disagreements are grouped by what
the event varied (the kind of leaf and the kind of variant) and the verdicts, and each
group is assigned a cause from tests/sigma/causes.yml, where each cause is decided per the
specification (docs/sigma-differential.md). A group no cause claims is reported as
unclassified.

The flat table is laid out as the backend's own runtime widens tables (and as Zircolite,
which the backend is built for, loads events): every column `TEXT COLLATE NOCASE`, JSON
booleans as the text `true`/`false`, null and missing fields as NULL. SQLite has no REGEXP;
both tools' queries get the same one: Python's `re.search(pattern, text)`, false for NULL,
which is what Zircolite registers.

Usage:
  differential.py [PATH ...] [--ruleport BIN] [--max-events N] [--report FILE] [--check]

PATH defaults to the committed corpus, tests/sigma/corpus. With --check (CI), exit 1 when a
disagreement has no cause in causes.yml, or a cause marked `corpus: true` was not seen.
Needs the venv of tests/sigma/install.sh.
"""

import argparse
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from sigma.backends.sqlite import sqliteBackend
from sigma.collection import SigmaCollection
from sigma.conditions import ConditionOR
from sigma.rule import SigmaRule

import sigma_events
from sigma_events import MISSING, Unsupported

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def forbid_network():
    """pySigma can download MITRE data and plugin lists (its validators and plugin
    directory do; conversion does not). This check sends nothing anywhere: any socket
    connection is refused outright."""

    def hook(event, args):
        if event in ("socket.connect", "socket.getaddrinfo"):
            raise RuntimeError(f"differential.py makes no network connections ({event})")

    sys.addaudithook(hook)


# ------------------------------------------------------------------------- pySigma


@dataclass
class SigmaSide:
    """A Sigma file as pySigma reads and converts it."""

    path: Path
    condition: object = None
    queries: list = field(default_factory=list)
    refusal: str | None = None


def pysigma_convert(path):
    side = SigmaSide(path)
    try:
        collection = SigmaCollection.from_yaml(path.read_text(encoding="utf-8"))
        rules = collection.rules
        if len(rules) != 1 or not isinstance(rules[0], SigmaRule):
            side.refusal = "not a single detection rule"
            return side
        side.queries = sqliteBackend().convert(collection)
        parsed = [condition.parsed for condition in rules[0].detection.parsed_condition]
        side.condition = parsed[0] if len(parsed) == 1 else ConditionOR(args=parsed)
    except Exception as error:  # pySigma refuses with many exception types
        first_line = str(error).splitlines()[0] if str(error) else ""
        side.refusal = f"{type(error).__name__}: {first_line}"
    return side


# ------------------------------------------------------------------------ ruleport


def run(command):
    return subprocess.run(command, check=False, text=True, capture_output=True)


def ruleport_import(ruleport, paths, work):
    """Imports every path; returns {resolved Sigma path: imported rule file}, and refusals."""
    table = work / "no-renames.yml"
    table.write_text("logsources: []\n", encoding="utf-8")
    out = work / "imported"
    result = run([ruleport, "import", "sigma", *map(str, paths), "--out", str(out),
                  "--logsources", str(table), "--format", "json"])
    if result.returncode not in (0, 1):
        sys.exit(f"ruleport import failed:\n{result.stderr}")
    imported, refused = {}, {}
    for entry in json.loads(result.stdout)["files"]:
        source = Path(entry["file"]).resolve()
        if entry["status"] == "imported":
            imported[source] = Path(entry["out"])
        else:
            refused[source] = entry["messages"][0]["message"] if entry["messages"] else ""
    return imported, refused


def ruleport_compile(ruleport, work):
    """Compiles every imported rule for SQLite; returns {imported stem: query}."""
    out = work / "sql"
    run([ruleport, "compile", str(work / "imported"), "--target", "sql", "--out", str(out)])
    written = (out / "sql-sqlite").glob("*.sql")
    return {path.stem: path.read_text(encoding="utf-8") for path in written}


def table_of(sql):
    """The table a ruleport query reads, from its header (`-- Table NAME: ...`)."""
    for line in sql.splitlines():
        if line.startswith("-- Table "):
            return line[len("-- Table "):].split(":", 1)[0]
    raise ValueError("no table in the query's header")


def yaml_flow(value):
    """JSON text that YAML reads as the same value: the characters YAML will not take
    raw in a flow scalar (C1 controls, DEL, line separators, BOM) escaped."""
    text = json.dumps(value, ensure_ascii=False)
    keep = lambda c: not (0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029\ufeff")
    return "".join(c if keep(c) else f"\\u{ord(c):04x}" for c in text)


def write_tests(path, rows):
    """Appends the events to an imported rule as its Tests."""
    lines = ["Tests:"]
    for row in rows:
        lines.append(f"  - Name: {json.dumps(row.name)}")
        lines.append(f"    ExpectedResult: {'true' if row.pysigma else 'false'}")
        lines.append(f"    Log: {yaml_flow(row.json_event)}")
    with open(path, "a", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


def ruleport_evaluate(ruleport, work):
    """The reference evaluator's verdicts: {(imported file, test name): verdict}."""
    result = run([ruleport, "test", str(work / "imported"), "--format", "json"])
    report = json.loads(result.stdout)
    verdicts = {}
    for rule in report["rules"]:
        source = Path(rule["file"]).resolve()
        for test in rule["tests"]:
            verdicts[(source, test["name"])] = test["actual"]
        if rule["errors"]:
            print(f"ruleport test: {rule['file']}: {rule['errors'][0]['message']}")
    return verdicts


# --------------------------------------------------------------------------- SQLite


@lru_cache(maxsize=4096)
def compiled(pattern):
    return re.compile(pattern)


def regexp(pattern, text):
    """SQLite's `text REGEXP pattern`: Python's re.search; false for NULL."""
    return text is not None and compiled(pattern).search(str(text)) is not None


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def nested(flat):
    """A flat event as a JSON event: each field name's `.`-separated parts nested.
    None when two names cannot both be placed (`a` and `a.b`)."""
    out = {}
    for name, value in flat.items():
        parts = name.split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                return None
        if parts[-1] in node:
            return None
        node[parts[-1]] = value
    return out


def flat_value(value):
    """A value as the flat table stores it: TEXT affinity turns numbers into their text;
    integers beyond SQLite's 64 bits are given as that text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return str(value)
    return value


class Database:
    """One in-memory SQLite database holding one rule's tables at a time."""

    def __init__(self):
        self.connection = sqlite3.connect(":memory:")
        self.connection.create_function("REGEXP", 2, regexp, deterministic=True)

    def prepare(self, columns, ruleport_table):
        cursor = self.connection.cursor()
        self.columns = {}
        for column in columns:
            self.columns.setdefault(column.lower(), column)
        self.ruleport_table = ruleport_table
        cursor.execute("DROP TABLE IF EXISTS logs")
        body = ", ".join(f"{quote(c)} TEXT COLLATE NOCASE" for c in self.columns.values())
        cursor.execute(f"CREATE TABLE logs ({body})")
        cursor.execute(f"DROP TABLE IF EXISTS {quote(ruleport_table)}")
        cursor.execute(f"CREATE TABLE {quote(ruleport_table)} (event TEXT)")

    def verdicts(self, flat, json_event, pysigma_queries, ruleport_query):
        """Both tools' verdicts on one event: True, False, or the error's text."""
        cursor = self.connection.cursor()
        cursor.execute("DELETE FROM logs")
        cursor.execute(f"DELETE FROM {quote(self.ruleport_table)}")
        row = {}
        for name, value in flat.items():
            column = self.columns.get(name.lower())
            if column is not None:
                row[column] = flat_value(value)
        if row:
            names = ", ".join(map(quote, row))
            marks = ", ".join("?" for _ in row)
            cursor.execute(f"INSERT INTO logs ({names}) VALUES ({marks})", list(row.values()))
        else:
            cursor.execute("INSERT INTO logs DEFAULT VALUES")
        cursor.execute(f"INSERT INTO {quote(self.ruleport_table)} VALUES (?)",
                       [json.dumps(json_event)])
        return (self.any_row(pysigma_queries), self.any_row([ruleport_query]))

    def any_row(self, queries):
        try:
            return any(self.connection.execute(query).fetchone() is not None
                       for query in queries)
        except sqlite3.Error as error:
            return f"{type(error).__name__}: {error}"


# ------------------------------------------------------------------------ comparing


@dataclass
class Row:
    """One event of one rule and every verdict on it."""

    sigma: Path
    name: str
    event: sigma_events.Event
    json_event: dict
    pysigma: object
    ruleport_sql: object
    spec: bool
    ruleport_eval: object = None

    def signature(self):
        """The three verdicts: T, F, E (the query failed) or - (no verdict)."""
        def show(verdict):
            return "E" if isinstance(verdict, str) else {True: "T", False: "F"}.get(verdict, "-")

        return (f"pysigma={show(self.pysigma)} ruleport_sql={show(self.ruleport_sql)} "
                f"ruleport_eval={show(self.ruleport_eval)}")

    def disagrees(self):
        verdicts = {self.pysigma, self.ruleport_sql, self.ruleport_eval}
        return len(verdicts) > 1 or verdicts != {self.spec}


def check_rule(database, side, query, max_events):
    """Generates a rule's events and runs both queries on each."""
    made = sigma_events.events(side.condition, max_events)
    columns = [leaf.field for leaf in sigma_events.leaves(side.condition)]
    database.prepare(columns, table_of(query))
    rows = []
    for index, event in enumerate(made):
        json_event = nested(event.fields)
        if json_event is None:
            continue
        pysigma, ruleport_sql = database.verdicts(event.fields, json_event, side.queries, query)
        spec = sigma_events.spec_matches(side.condition, event.fields)
        rows.append(Row(side.path, f"e{index}", event, json_event, pysigma, ruleport_sql, spec))
    return rows


# ------------------------------------------------------------------------- causes


@dataclass
class Cause:
    ident: str
    title: str
    # The verdicts the specification agrees with, or "undecided".
    right: object
    corpus: bool
    clauses: list


def load_causes(path):
    with open(path, encoding="utf-8") as file:
        data = yaml.safe_load(file)
    return [Cause(c["id"], c["title"], c["right"], c.get("corpus", False), c["when"])
            for c in data["causes"]]


def group_key(row):
    value = row.event.fields.get(row.event.field, MISSING) if row.event.field else MISSING
    return (row.event.leaf_kind, row.event.variant, row.signature(),
            "spec=" + ("T" if row.spec else "F"), "" if value is MISSING else json.dumps(value))


def classify(row, causes):
    """The first cause whose clause fits the row: every key a clause names is a regex
    that must match in full (leaf, variant, verdicts, spec) or somewhere (value: the JSON
    of the value the variant gave the field; error: a query's error)."""
    leaf, variant, verdicts, spec, value = group_key(row)
    facts = {"leaf": leaf, "variant": variant, "verdicts": verdicts, "spec": spec}
    found = {"value": value,
             "error": " ".join(v for v in (row.pysigma, row.ruleport_sql) if isinstance(v, str))}
    for cause in causes:
        for clause in cause.clauses:
            if all(re.fullmatch(clause[k], facts[k]) for k in facts if k in clause) and all(
                re.search(clause[k], found[k]) for k in found if k in clause
            ):
                return cause
    return None


# ------------------------------------------------------------------------ reporting


def rule_size(path):
    return len(path.read_text(encoding="utf-8"))


def summarize(rows, causes):
    """Disagreements grouped by cause, then by key; each with its smallest example."""
    by_cause = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.disagrees():
            cause = classify(row, causes)
            by_cause[cause.ident if cause else "unclassified"][group_key(row)[:4]].append(row)
    return by_cause


def example_of(group):
    row = min(group, key=lambda r: (rule_size(r.sigma), len(json.dumps(r.json_event))))
    return {"rule": str(row.sigma), "event": row.json_event,
            "pysigma": row.pysigma, "ruleport_sql": row.ruleport_sql,
            "ruleport_eval": row.ruleport_eval, "spec": row.spec}


def report(stats, refusals, by_cause, causes, out):
    titles = {cause.ident: cause.title for cause in causes}
    rights = {cause.ident: cause.right for cause in causes}
    print("\n== numbers")
    for name, value in stats.items():
        print(f"  {name}: {value}")
    for side, reasons in refusals.items():
        print(f"\n== {side}, by reason")
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
            print(f"  {count:5} {reason}")
    print("\n== disagreements by cause (events, rules)")
    document = {"numbers": stats, "refusals": refusals, "causes": {}}
    size = lambda item: -sum(map(len, item[1].values()))
    for ident, groups in sorted(by_cause.items(), key=size):
        events = [row for group in groups.values() for row in group]
        rules = {row.sigma for row in events}
        print(f"\n  {ident}: {len(events)} events, {len(rules)} rules")
        print(f"    {titles.get(ident, 'no cause in causes.yml claims these')}")
        if ident in rights:
            right = rights[ident]
            shown = right if isinstance(right, str) else ", ".join(right) or "none of them"
            print(f"    the specification agrees with: {shown}")
        entry = {"events": len(events), "rules": len(rules), "right": rights.get(ident),
                 "groups": []}
        for group_key_, group in sorted(groups.items(), key=lambda item: -len(item[1])):
            example = example_of(group)
            entry["groups"].append({"key": list(group_key_), "events": len(group),
                                    "example": example})
            print(f"    {len(group):6} {' '.join(group_key_)}")
            if ident == "unclassified":
                print(f"           e.g. {example['rule']}: {json.dumps(example['event'])}")
        document["causes"][ident] = entry
    if out:
        Path(out).write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")


def refusal_reasons(sides, imported, refused, queries):
    """Why the rules that only one tool translates were refused by the other, counted by
    the reason's first words."""
    short = lambda text: re.sub(r"`[^`]*`", "`..`", text)[:90]
    pysigma_only, ruleport_only = defaultdict(int), defaultdict(int)
    for side in sides:
        target = imported.get(side.path)
        translated = target is not None and target.stem in queries
        if side.refusal is None and not translated:
            pysigma_only[short(refused.get(side.path, "imported, but not compiled"))] += 1
        elif side.refusal is not None and translated:
            ruleport_only[short(side.refusal)] += 1
    return {"only pySigma translates (ruleport's refusal)": dict(pysigma_only),
            "only ruleport translates (pySigma's refusal)": dict(ruleport_only)}


def sigma_files(paths):
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml"))
        else:
            files.append(path)
    return [f.resolve() for f in files]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[HERE / "corpus"])
    parser.add_argument("--ruleport", default=str(REPO / "target" / "release" / "ruleport"))
    parser.add_argument("--max-events", type=int, default=300,
                        help="events per rule at most (default 300)")
    parser.add_argument("--report", help="write the full report as JSON here")
    parser.add_argument("--causes", type=Path, default=HERE / "causes.yml")
    parser.add_argument("--check", action="store_true",
                        help="fail on unclassified disagreements and unseen corpus causes")
    args = parser.parse_args()
    forbid_network()
    ruleport = str(Path(args.ruleport).resolve())
    work = Path(tempfile.mkdtemp(prefix="ruleport-sigma-diff-"))
    try:
        return differential(args, ruleport, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def differential(args, ruleport, work):
    started = time.monotonic()
    files = sigma_files(args.paths)
    imported, refused = ruleport_import(ruleport, args.paths, work)
    queries = ruleport_compile(ruleport, work)
    causes = load_causes(args.causes)
    sides = [pysigma_convert(path) for path in files]
    stats = {"sigma files": len(files),
             "pySigma translates": sum(1 for s in sides if s.refusal is None),
             "ruleport imports": len(imported),
             "ruleport compiles": sum(1 for p in imported.values() if p.stem in queries)}
    refusals = refusal_reasons(sides, imported, refused, queries)

    database = Database()
    rows_by_file = defaultdict(list)
    both = skipped = 0
    for side in sides:
        target = imported.get(side.path)
        if side.refusal is not None or target is None or target.stem not in queries:
            continue
        both += 1
        try:
            rows = check_rule(database, side, queries[target.stem], args.max_events)
        except Unsupported:
            skipped += 1
            continue
        rows_by_file[target.resolve()] = rows
        write_tests(target, rows)
    evaluated = ruleport_evaluate(ruleport, work)
    rows = []
    for target, file_rows in rows_by_file.items():
        for row in file_rows:
            row.ruleport_eval = evaluated.get((target, row.name))
            rows.append(row)

    by_cause = summarize(rows, causes)
    stats.update({
        "both translate": both,
        "both translate, events generated": both - skipped,
        "events compared": len(rows),
        "events with a disagreement": sum(1 for row in rows if row.disagrees()),
        "events where the tools disagree with each other": sum(
            1 for row in rows if len({row.pysigma, row.ruleport_sql, row.ruleport_eval}) > 1),
        "events with a query error": sum(
            1 for row in rows if isinstance(row.pysigma, str) or isinstance(row.ruleport_sql, str)),
        "rules with a query error": len({
            row.sigma for row in rows
            if isinstance(row.pysigma, str) or isinstance(row.ruleport_sql, str)}),
        "seconds": round(time.monotonic() - started, 1),
    })
    report(stats, refusals, by_cause, causes, args.report)

    if not args.check:
        return 0
    failures = []
    if "unclassified" in by_cause:
        failures.append("disagreements that no cause in causes.yml claims (above)")
    unseen = [c.ident for c in causes if c.corpus and c.ident not in by_cause]
    if unseen:
        failures.append(f"causes marked `corpus: true` that the corpus did not show: {unseen}")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
