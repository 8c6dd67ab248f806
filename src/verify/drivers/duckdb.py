"""ruleport's DuckDB driver: each job's event alone in its table, then the query."""
import json
import sys

import duckdb


def quote(name):
    return '"' + name.replace('"', '""') + '"'


def main():
    jobs = json.load(sys.stdin)
    connection = duckdb.connect()
    # A long query would draw a progress bar on stdout, where the answers go.
    connection.execute("SET enable_progress_bar = false")
    answers = []
    for job in jobs:
        table = quote(job["table"])
        try:
            connection.execute(f"CREATE OR REPLACE TABLE {table} (event JSON)")
            connection.execute(f"INSERT INTO {table} VALUES (?)", [json.dumps(job["event"])])
            rows = connection.execute(job["query"]).fetchall()
            answers.append({"verdict": len(rows) > 0})
        except duckdb.Error as error:
            answers.append({"error": str(error)})
    json.dump(answers, sys.stdout)


main()
