"""Checks ruleport's imports of SigmaHQ rules on SigmaHQ's own regression events.

SigmaHQ keeps, for some rules, the Windows event log recorded where the rule fired
(`regression_data/.../<rule>/info.yml` naming an .evtx and its JSON export). This script
imports every such rule with `ruleport import sigma`, turns each exported event into a flat
event (the `EventData` fields at the top, `System` fields beside them, attributes as
`<Element>_<attribute>`), and runs the imported rule's evaluator on them with
`ruleport test`. A recording holds a whole scenario, so a rule passes when it matches one
of the recording's events. It then writes the rules with their events as tests, the
expected result being the evaluator's verdict, so that `ruleport verify DIR --engine all`
can hold every engine to the evaluator on real events.

    python tests/sigma/sigmahq_regression.py PATH/TO/sigma --ruleport target/release/ruleport \\
        --out build/sigmahq-regression
    target/release/ruleport verify build/sigmahq-regression --engine all

Needs PyYAML (the venv that tests/sigma/install.sh makes has it).
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml


def json_documents(text):
    """The JSON documents of a file that holds one or several, one after the other."""
    decoder = json.JSONDecoder()
    documents, at = [], 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return documents
        document, at = decoder.raw_decode(text, at)
        documents.append(document)


def flat_event(exported):
    """A Windows event as Sigma's Windows rules name its fields."""
    event = exported.get("Event", exported)
    flat = {}
    for key, value in (event.get("System") or {}).items():
        if isinstance(value, dict):
            for attribute, text in (value.get("#attributes") or {}).items():
                flat[f"{key}_{attribute}"] = text
            if "#text" in value:
                flat[key] = value["#text"]
        else:
            flat[key] = value
    for section in ("EventData", "UserData"):
        data = event.get(section)
        if not isinstance(data, dict):
            continue
        if section == "UserData":
            data = {
                key: value
                for inner in data.values()
                if isinstance(inner, dict)
                for key, value in inner.items()
            }
        flat.update({key: value for key, value in data.items() if key != "#attributes"})
    return flat


def with_tests(rule_text, events, verdicts=None):
    """The rule file with the events as tests; every verdict true unless given."""
    lines = [rule_text.rstrip("\n"), "Tests:"]
    for index, (name, event) in enumerate(events):
        expected = "true" if verdicts is None else str(verdicts[index]).lower()
        lines.append(f"  - Name: {json.dumps(f'{name} #{index}')}")
        lines.append(f"    ExpectedResult: {expected}")
        lines.append(f"    Log: {json.dumps(event)}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sigma", type=Path, help="a checkout of the SigmaHQ repository")
    parser.add_argument("--ruleport", default="target/release/ruleport")
    parser.add_argument("--out", type=Path, required=True, help="where to write the rules")
    args = parser.parse_args()

    rules = {}
    for path in sorted(args.sigma.glob("rules*/**/*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and document.get("regression_tests_path"):
            rules[path] = document

    with tempfile.TemporaryDirectory() as scratch:
        sources, imported = Path(scratch, "sigma"), Path(scratch, "imported")
        sources.mkdir()
        for path in rules:
            shutil.copy(path, sources / path.name)
        run = subprocess.run(
            [args.ruleport, "import", "sigma", str(sources), "--out", str(imported),
             "--format", "json"],
            capture_output=True, text=True, check=False,
        )
        report = json.loads(run.stdout)
        print(f"rules with regression data: {len(rules)}; imported: {report['imported']}")

        recordings = {}
        for path, document in rules.items():
            target = imported / path.name
            if not target.exists():
                continue
            info = yaml.safe_load((args.sigma / document["regression_tests_path"]).read_text())
            events = []
            for test in info.get("regression_tests_info") or []:
                exported = args.sigma / Path(test["path"]).with_suffix(".json")
                if exported.exists():
                    for event in json_documents(exported.read_text(encoding="utf-8")):
                        events.append((test["name"], flat_event(event)))
            if events:
                recordings[target] = events
                target.write_text(with_tests(target.read_text(), events))

        run = subprocess.run(
            [args.ruleport, "test", str(imported), "--format", "json"],
            capture_output=True, text=True, check=False,
        )
        tested = {Path(rule["file"]).name: rule for rule in json.loads(run.stdout)["rules"]}
        matched = missed = 0
        if args.out.exists():
            shutil.rmtree(args.out)
        args.out.mkdir(parents=True)
        for target, events in recordings.items():
            verdicts = [test["actual"] for test in tested[target.name]["tests"]]
            by_recording = {}
            for (name, _), verdict in zip(events, verdicts):
                by_recording.setdefault(name, []).append(verdict)
            for name, found in by_recording.items():
                if any(found):
                    matched += 1
                else:
                    missed += 1
                    print(f"no event matched: {target.name}: {name}")
            rule_text = target.read_text().split("\nTests:\n")[0] + "\n"
            (args.out / target.name).write_text(with_tests(rule_text, events, verdicts))
        print(f"recordings matched: {matched}; missed: {missed}")
        print(f"rules with their events as tests written to {args.out}")
    return 0 if missed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
