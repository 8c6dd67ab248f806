"""ruleport's EQL driver: parses each query in Elasticsearch syntax with the `eql`
package and evaluates it on the job's event."""
import json
import sys

import eql


def verdict(query_text, event):
    with eql.parser.elasticsearch_syntax, eql.parser.ignore_missing_functions:
        query = eql.parse_query(query_text)
    matches = []
    engine = eql.PythonEngine()
    engine.add_output_hook(matches.append)
    engine.add_query(query)
    engine.stream_events([eql.Event("any", 0, event)])
    return bool(matches)


def main():
    answers = []
    for job in json.load(sys.stdin):
        try:
            answers.append({"verdict": verdict(job["query"], job["event"])})
        except Exception as error:  # the package raises many kinds; report each as text
            answers.append({"error": f"{type(error).__name__}: {error}"})
    json.dump(answers, sys.stdout)


main()
