"""ruleport's Panther driver: loads each generated rule module and calls rule(event)."""
import json
import sys
import types


def verdict(source, event):
    module = types.ModuleType("ruleport_rule")
    exec(compile(source, "rule.py", "exec"), module.__dict__)
    result = module.rule(event)
    if not isinstance(result, bool):
        raise TypeError(f"rule() returned {type(result).__name__}, not bool")
    return result


def main():
    answers = []
    for job in json.load(sys.stdin):
        try:
            answers.append({"verdict": verdict(job["query"], job["event"])})
        except Exception as error:  # a generated rule must never raise: report it
            answers.append({"error": f"{type(error).__name__}: {error}"})
    json.dump(answers, sys.stdout)


main()
