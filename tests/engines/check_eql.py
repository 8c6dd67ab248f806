"""Checks ruleport's EQL queries on the `eql` Python package (1.0.1), in its Elasticsearch
syntax: every query must parse, and every case must get its expected verdict.

Inputs (written by `cargo test --test eql_engine`, see docs/targets/elastic.md):

    QUERIES   a directory of `.eql` files, as `ruleport compile --target eql` writes them
    CASES     a JSON file: {"cases": [{"id", "query", "document", "expected", "diverges"}]}
              `query` names a file in QUERIES, `document` is the event as Elasticsearch
              indexes it, `expected` the evaluator's verdict. `diverges`, when not null, is a
              documented divergence: the package must then give the opposite verdict, so a
              divergence that stops happening is reported too.

Run with the Python of a venv that has eql==1.0.1:

    .engines/venv/bin/python tests/engines/check_eql.py QUERIES CASES

Prints one line per failure and `N passed, M failed`; exits 0 when nothing failed.
"""

import json
import sys
from pathlib import Path

import eql


def parse(text):
    """The query parsed as Elasticsearch reads it (functions the package lacks are errors)."""
    with eql.parser.elasticsearch_syntax:
        return eql.parse_query(text)


def verdict(query, document):
    """Whether the query matches the one event."""
    matches = []
    engine = eql.PythonEngine()
    engine.add_output_hook(matches.append)
    engine.add_query(query)
    engine.stream_events([eql.Event("any", 0, document)])
    return bool(matches)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    queries_dir, cases_file = Path(argv[1]), Path(argv[2])
    failures = []
    passed = 0

    queries = {}
    for path in sorted(queries_dir.glob("*.eql")):
        try:
            queries[path.name] = parse(path.read_text(encoding="utf-8"))
            passed += 1
        except eql.EqlError as error:
            failures.append(f"PARSE {path.name}: {error}")

    cases = json.loads(cases_file.read_text(encoding="utf-8"))["cases"]
    for case in cases:
        query = queries.get(case["query"])
        if query is None:
            failures.append(f"MISSING {case['id']}: no parsed query {case['query']}")
            continue
        wanted = case["expected"] != bool(case["diverges"])
        try:
            got = verdict(query, case["document"])
        except Exception as error:  # the package raises many kinds; each is a failure
            failures.append(f"ERROR {case['id']}: {type(error).__name__}: {error}")
            continue
        if got == wanted:
            passed += 1
            continue
        if case["diverges"]:
            failures.append(
                f"DIVERGENCE GONE {case['id']}: the package now agrees with the evaluator "
                f"({got}); remove it from the documented divergences ({case['diverges']})"
            )
        else:
            failures.append(
                f"MISMATCH {case['id']}: eql says {got}, the evaluator {case['expected']}"
            )

    for failure in failures:
        print(failure)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
