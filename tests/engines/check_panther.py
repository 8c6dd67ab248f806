"""Proves the Panther target on the real tool: every conformance case (plus the cases below
that pin down Python-specific behaviour) becomes a one-rule file with the case's event as
its test, is compiled with `ruleport compile --target panther`, and then

1. `ruleport test` checks the evaluator gives the expected verdict on the event as written;
2. `pat test` runs the compiled rules with their tests carried over;
3. each compiled rule() is imported and called directly, on Panther's PantherEvent wrapper
   and on a plain dict, and must return a real bool with the expected verdict (and title()
   and alert_context() must not raise).

Then, with the evaluator's verdicts as the oracle (`ruleport test --format json`), a few
regexes run over one event per character, and random conditions over random events.

A case marked `diverges` is a documented divergence (docs/targets/panther.md): its verdict in
Python must be the opposite of the evaluator's, and pat is not asked to pass it.

Run with the Python of a venv that has panther-analysis-tool==1.11.1:

    .venv/bin/python tests/engines/check_panther.py --ruleport target/debug/ruleport \
        --pat .venv/bin/pat

Exits 0 when every check passes, 1 otherwise; prints `N passed, M failed`.
"""

import argparse
import importlib.util
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import yaml
from panther_core.enriched_event import PantherEvent

REPO = Path(__file__).resolve().parents[2]


def literal(text):
    """A double-quoted string literal of the condition language."""
    out = []
    for c in text:
        if c in '\\"':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif c.isascii() and c.isprintable():
            out.append(c)
        else:
            out.append("\\u{%x}" % ord(c))
    return '"' + "".join(out) + '"'


def key(text):
    """A field path segment in backticks."""
    return "`" + text.replace("`", "``") + "`"


HOSTILE = [
    'say "hi"',
    "back\\slash and C:\\Windows\\",
    '"""triple"""',
    "line1\nline2\r\n\tindented",
    "nul\x00inside",
    "del\x7f nel\x85 ls\u2028 bom\ufeff",
    "100% a_b *? {x} [y] 'q' #c",
    "café ß İ 🦀",
]


def extra_cases():
    """Cases for what the conformance file leaves to each engine: number texts, Unicode
    case, regex anchors and case pairs, exact keys under Panther's wrapper, literals."""
    cases = []

    def case(name, condition, event, expected, diverges=False):
        cases.append(
            {
                "id": "py-" + name,
                "condition": condition,
                "event": event,
                "expected": expected,
                "diverges": diverges,
            }
        )

    texts = [
        (1e16, "10000000000000000"),
        (1e-7, "0.0000001"),
        (2.5e-5, "0.000025"),
        (float(2**53), "9007199254740992"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1000000000000000000000"),
        (1e300, "1" + "0" * 300),
        (5e-324, "0." + "0" * 323 + "5"),
        (1.7976931348623157e308, "17976931348623157" + "0" * 292),
        (123456789.125, "123456789.125"),
        (-0.0, "0"),
        (2**64 - 1, "18446744073709551615"),
        (-(2**63), "-9223372036854775808"),
    ]
    for i, (number, text) in enumerate(texts):
        case("number-text-%d" % i, "a eq %s" % literal(text), {"a": number}, True)

    case("numeric-string-overflow", "a gt 1000", {"a": "1e400"}, True)
    case("integer-as-double", "a eq 9007199254740992", {"a": 2**53 + 1}, True)
    case("numeric-string-decimal", "a eq 0.1", {"a": "0.10"}, True)
    case("numeric-string-ascii-digits", "a ge 0", {"a": "\u0663"}, False)
    case("bool-is-not-number", "a eq 1", {"a": True}, False)
    case("number-is-not-bool", "a eq true", {"a": 1}, False)
    case("bool-string-any-case", "a eq true", {"a": "TRUE"}, True)
    case("bool-not-unicode-fold", "a eq true", {"a": "TRUE\u0130"}, False)

    case("key-exact", "operationName eq \"x\"", {"operationname": "x"}, False)
    case("nested-key-exact", "a.B eq \"x\"", {"a": {"b": "x"}}, False)
    case("key-both-cases", "Level eq \"4\"", {"level": "5", "Level": "4"}, True)
    case("index-key-exact", "a[0].B is_null", {"a": [{"b": 1}]}, True)

    case("regex-dotted-capital-i", 'a regex "admin"', {"a": "ADMİN"}, False)
    case("regex-dotless-i-class", 'a regex "^[a-z]+$"', {"a": "ıı"}, False)
    case("regex-dotless-i-negated", 'a regex "^[^a-z]$"', {"a": "ı"}, True)
    case("regex-kelvin", 'a regex "^k$"', {"a": "\u212a"}, True)
    case("regex-kelvin-cs", 'a regex_cs "^k$"', {"a": "\u212a"}, False)
    case("regex-long-s", 'a regex "^s+$"', {"a": "ſS"}, True)
    case("regex-word-long-s", "a regex '^\\w$'", {"a": "ſ"}, True)
    case("regex-accent", 'a regex "^é$"', {"a": "É"}, True)
    case("regex-unicode-16-pair", 'a regex "^ɤ$"', {"a": "\ua7cb"}, True)
    case("regex-end-before-newline", 'a regex "abc$"', {"a": "abc\n"}, False)
    case("regex-dot-newline", 'a regex "a.c"', {"a": "a\nc"}, False)
    case("regex-repeat-anchor", "a regex '(^a)+b'", {"a": "ab"}, True)

    case("fold-dotted-i", 'a eq "İ"', {"a": "i\u0307"}, True)
    case("fold-final-sigma", 'a eq "ΌΣΟΣ"', {"a": "όσος"}, True)
    case("fold-lone-sigma", 'a eq "σ"', {"a": "Σ"}, True)
    case("fold-word-final-sigma", 'a eq "ας"', {"a": "ΑΣ"}, True)
    case("fold-kelvin", 'a contains "k"', {"a": "\u212a"}, True)
    # Python 3.11's str.lower() knows Unicode 14; this pair came later.
    case("fold-unicode-16-pair", 'a eq "ɤ"', {"a": "\ua7cb"}, True, diverges=True)

    for i, text in enumerate(HOSTILE):
        for op in ["eq_cs", "contains_cs", "startswith_cs", "endswith_cs", "eq"]:
            case("literal-%d-%s" % (i, op), "a %s %s" % (op, literal(text)), {"a": text}, True)
        if text.isprintable():
            case("key-%d" % i, "%s eq_cs \"v\"" % key(text), {text: "v"}, True)
            case("key-%d-other" % i, "%s eq_cs \"v\"" % key(text), {text + "x": "v"}, False)
    return cases


def yaml_value(value):
    """A JSON value as a YAML flow collection with every string double-quoted and escaped
    (json.dumps would write surrogate pairs, which YAML does not read)."""
    if isinstance(value, dict):
        items = ("%s: %s" % (yaml_value(k), yaml_value(v)) for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(item) for item in value) + "]"
    if isinstance(value, str):
        out = []
        for c in value:
            code = ord(c)
            if c in '\\"':
                out.append("\\" + c)
            elif 0x20 <= code < 0x7F or (0xA0 <= code <= 0xFFFD and c not in "\u2028\u2029\ufeff"):
                out.append(c)
            elif code <= 0xFF:
                out.append("\\x%02X" % code)
            elif code <= 0xFFFF:
                out.append("\\u%04X" % code)
            else:
                out.append("\\U%08X" % code)
        return '"' + "".join(out) + '"'
    return json.dumps(value)


# Conditions checked on one event per character (the BMP and the cased blocks above it),
# with the evaluator's verdicts as the oracle: regex case pairs, classes and negation.
SWEEPS = [
    'a regex "^[a-z]$"',
    'a regex "^[^a-z]$"',
    "a regex '^[^ -~]$'",
    'a regex "^(?:i|k|s|é|σ|ǅ|ɤ|ß)$"',
    'a regex_cs "^[a-z]$"',
]
SWEEP_RANGES = [(0, 0xD800), (0xE000, 0x10000), (0x10400, 0x10450), (0x10D50, 0x10D90),
                (0x16E40, 0x16EE0), (0x1E900, 0x1E950)]


def sweep_events():
    return [{"a": chr(cp)} for start, end in SWEEP_RANGES for cp in range(start, end)]


def write_sweep(directory, index, condition, events, prefix="Sweep"):
    tests = "".join(
        "  - Name: c%d\n    ExpectedResult: false\n    Log: %s\n" % (i, yaml_value(event))
        for i, event in enumerate(events)
    )
    (directory / ("%s-%d.yml" % (prefix.lower(), index))).write_text(
        "RuleID: %s.%d\nDisplayName: %s %d\nLogTypes: [Test.Conformance]\n"
        "Severity: Info\nCondition: |\n  %s\nTests:\n%s"
        % (prefix, index, prefix.lower(), index, condition, tests),
        encoding="utf-8",
    )


def evaluator_verdicts(ruleport, directory):
    """The evaluator's verdict on every test under `directory`, by rule id and test name."""
    result = subprocess.run([ruleport, "test", "--format", "json", str(directory)],
                            capture_output=True, text=True)
    report = json.loads(result.stdout)
    return {(rule["rule_id"], test["name"]): test["actual"]
            for rule in report["rules"] for test in rule["tests"]}


def check_sweeps(ruleport, work, check):
    directory = work / "sweep"
    directory.mkdir()
    events = sweep_events()
    for index, condition in enumerate(SWEEPS):
        write_sweep(directory, index, condition, events)
    verdicts = evaluator_verdicts(ruleport, directory)
    code, output = run([ruleport, "compile", str(directory), "--target", "panther",
                        "--out", str(work / "out-sweep")])
    check("ruleport compile %s" % directory, code == 0, output)
    for index, condition in enumerate(SWEEPS):
        module = load(work / "out-sweep" / "panther" / ("sweep-%d.py" % index))
        wrong = [
            "U+%04X" % ord(event["a"])
            for i, event in enumerate(events)
            if module.rule(event) != verdicts[("Sweep.%d" % index, "c%d" % i)]
        ]
        check("sweep of %s over %d characters" % (condition, len(events)), not wrong,
              "differs on " + " ".join(wrong[:40]))


# Random conditions over these paths and values, with the evaluator as the oracle.
FUZZ_PATHS = ["a", "b", "c.d", "arr[*]", "arr[*].x", "arr[0]", "`we ird`"]
FUZZ_VALUES = [None, "x", "X", "", "0", "0.0", "1e3", " 42", "true", "TRUE", "İ", "ſ",
               "abc\n", "a.b", 0, 1, 1.5, -0.0, 1000, True, False, [], {}, ["x", 1],
               {"d": "x"}, {"x": "X"}]
FUZZ_STRINGS = ["x", "", "0", "a", "abc", "İ", "i", "true", "1e3"]
FUZZ_PATTERNS = ["^x", "x$", "[a-z]+", "^$", "\\d", "i", "s", "^.$", "(a|b)c?", "[^x]"]
FUZZ_OPS = ["eq", "ne", "eq_cs", "ne_cs", "in", "not_in", "contains", "startswith",
            "endswith", "contains_cs", "regex", "regex_cs", "gt", "ge", "lt", "le",
            "is_null", "is_not_null", "is_empty", "is_not_empty"]


def fuzz_predicate(rng):
    path, op = rng.choice(FUZZ_PATHS), rng.choice(FUZZ_OPS)

    def number():
        return rng.choice(["0", "1", "-1", "1.5", "1000", "1e3"])

    if op.startswith("is_"):
        return "%s %s" % (path, op)
    if op in ("gt", "ge", "lt", "le"):
        return "%s %s %s" % (path, op, number())
    if op.startswith("regex"):
        return "%s %s %s" % (path, op, literal(rng.choice(FUZZ_PATTERNS)))
    if op in ("in", "not_in"):
        items = [literal(rng.choice(FUZZ_STRINGS)), number(), rng.choice(["true", "false"])]
        return "%s %s [%s]" % (path, op, ", ".join(rng.sample(items, rng.randint(1, 3))))
    if op in ("eq", "ne") and rng.random() < 0.4:
        return "%s %s %s" % (path, op, rng.choice([number(), "true", "false"]))
    return "%s %s %s" % (path, op, literal(rng.choice(FUZZ_STRINGS)))


def fuzz_condition(rng, depth=0):
    if depth >= 3 or rng.random() < 0.35:
        return fuzz_predicate(rng)
    joiner = rng.choice([" and ", " or "])
    parts = [fuzz_condition(rng, depth + 1) for _ in range(rng.randint(2, 3))]
    text = "(" + joiner.join(parts) + ")"
    return "not " + text if rng.random() < 0.3 else text


def fuzz_event(rng):
    event = {}
    for name in ["a", "b", "we ird"]:
        if rng.random() < 0.7:
            event[name] = rng.choice(FUZZ_VALUES)
    if rng.random() < 0.7:
        event["c"] = rng.choice([{"d": rng.choice(FUZZ_VALUES)}, rng.choice(FUZZ_VALUES)])
    if rng.random() < 0.8:
        size = rng.randint(0, 3)
        event["arr"] = [rng.choice([rng.choice(FUZZ_VALUES), {"x": rng.choice(FUZZ_VALUES)}])
                        for _ in range(size)]
    return event


def check_fuzz(ruleport, work, check, rules, seed):
    """Random conditions, each on random events, against the evaluator's verdicts."""
    rng = random.Random(seed)
    directory = work / "fuzz"
    directory.mkdir()
    events = {}
    for index in range(rules):
        events[index] = [fuzz_event(rng) for _ in range(12)]
        write_sweep(directory, index, fuzz_condition(rng), events[index], prefix="Fuzz")
    verdicts = evaluator_verdicts(ruleport, directory)
    code, output = run([ruleport, "compile", str(directory), "--target", "panther",
                        "--out", str(work / "out-fuzz")])
    check("ruleport compile %s" % directory, code == 0, output)
    wrong = []
    for index, cases in events.items():
        module = load(work / "out-fuzz" / "panther" / ("fuzz-%d.py" % index))
        for i, event in enumerate(cases):
            want = verdicts[("Fuzz.%d" % index, "c%d" % i)]
            for wrapped in (PantherEvent(event), event):
                if module.rule(wrapped) is not want:
                    wrong.append("fuzz-%d.yml test c%d" % (index, i))
    check("%d random conditions on %d events each (seed %d)" % (rules, 12, seed), not wrong,
          "differs on " + ", ".join(sorted(set(wrong))[:20]))


def conformance_cases(path):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for case in document["cases"]:
        if "event" in case and "expected" in case:
            case["diverges"] = "panther" in case.get("divergence_allowed", [])
            cases.append(case)
    return cases


def write_rule(directory, case):
    lines = "".join("  %s\n" % line for line in case["condition"].splitlines())
    text = (
        "RuleID: Conformance.%s\n"
        "DisplayName: conformance case %s\n"
        "LogTypes: [Test.Conformance]\n"
        "Severity: Info\n"
        "Condition: |\n%s"
        "OutputFields:\n  a: a\n"
        "Tests:\n"
        "  - Name: %s\n"
        "    ExpectedResult: %s\n"
        "    Log: %s\n"
    ) % (
        case["id"],
        case["id"],
        lines,
        case["id"],
        "true" if case["expected"] else "false",
        yaml_value(case["event"]),
    )
    (directory / (case["id"] + ".yml")).write_text(text, encoding="utf-8")


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def load(path):
    """Imports a compiled rule; any warning (an invalid escape, a regex Python reads as a
    nested set) is an error."""
    spec = importlib.util.spec_from_file_location(re.sub(r"\W", "_", path.stem), path)
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec.loader.exec_module(module)
    return module


def call_rule(path, case):
    """The problems with one compiled rule on its case's event, or []."""
    module = load(path)
    want = case["expected"] != case["diverges"]
    problems = []
    for kind, event in [("PantherEvent", PantherEvent(case["event"])), ("dict", case["event"])]:
        verdict = module.rule(event)
        if not isinstance(verdict, bool):
            problems.append("%s: rule() returned %r" % (kind, verdict))
        elif verdict != want:
            problems.append("%s: rule() is %s, expected %s" % (kind, verdict, want))
        if not isinstance(module.title(event), str):
            problems.append("%s: title() is not a str" % kind)
        json.dumps(module.alert_context(event))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ruleport", required=True, help="the ruleport binary")
    parser.add_argument("--pat", default="pat", help="panther_analysis_tool's `pat`")
    parser.add_argument("--cases", default=str(REPO / "tests" / "conformance.yml"))
    parser.add_argument("--work", help="keep the rules and outputs here")
    parser.add_argument("--fuzz", type=int, default=300, help="random conditions to check")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="check-panther-"))
    shutil.rmtree(work, ignore_errors=True)
    cases = conformance_cases(Path(args.cases)) + extra_cases()
    groups = {"agree": work / "rules", "diverge": work / "divergent"}
    for directory in groups.values():
        directory.mkdir(parents=True)
    for case in cases:
        write_rule(groups["diverge" if case["diverges"] else "agree"], case)

    passed, failures = 0, []

    def check(name, ok, detail=""):
        nonlocal passed
        if ok:
            passed += 1
        else:
            failures.append("%s\n%s" % (name, detail))

    code, output = run([args.ruleport, "test", str(groups["agree"]), str(groups["diverge"])])
    check("ruleport test: the evaluator gives every expected verdict", code == 0, output)
    for group, directory in groups.items():
        code, output = run(
            [args.ruleport, "compile", str(directory), "--target", "panther",
             "--out", str(work / ("out-" + group))]
        )
        check("ruleport compile %s" % directory, code == 0, output)
    code, output = run(
        [args.pat, "--skip-version-check", "test", "--path", str(work / "out-agree" / "panther")]
    )
    check("pat test on %d compiled rules" % len(list(groups["agree"].iterdir())), code == 0,
          output[-4000:])

    for case in cases:
        group = "diverge" if case["diverges"] else "agree"
        path = work / ("out-" + group) / "panther" / (case["id"] + ".py")
        try:
            problems = call_rule(path, case)
        except Exception as error:  # a rule that raises is a failure, reported as one
            problems = ["raised %r" % error]
        check("rule() of %s" % case["id"], not problems, "\n".join(problems))

    check_sweeps(args.ruleport, work, check)
    check_fuzz(args.ruleport, work, check, args.fuzz, args.seed)

    for failure in failures:
        print("FAILED: " + failure, file=sys.stderr)
    print("%d passed, %d failed" % (passed, len(failures)))
    if not args.work and not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
