#!/usr/bin/env python3
"""Time ruleport against sigma-cli end to end on a corpus of Sigma rules.

Every measurement is of whole processes, started and waited for one by one, as a user
runs them:

  ruleport import            ruleport import sigma RULES --out W/imp
  ruleport import + kql      the import, then ruleport compile W/imp --target kql
  ruleport import + panther  the import, then ruleport compile W/imp --target panther
  ruleport import + all      the import, then ruleport compile W/imp --target all
  ruleport one rule          import of ONE_RULE, then compile of it --target kql
  sigma-cli kusto            sigma convert -t kusto -s FILES -o W/kusto.txt
  sigma-cli panther          sigma convert -t panther -p panther -s FILES -o W/panther.txt
  sigma-cli one rule         sigma convert -t kusto ONE_RULE -o W/one.txt

Kusto runs with no pipeline: sigma-cli requires none for it, and like ruleport's import it
then keeps the rules' own field names. The Panther backend puts its `panther` pipeline in
when given none, so `-p panther` only says so. FILES are the corpus's *.yml files, less
those on which sigma-cli aborts the whole run despite --skip-unsupported (a backend
raising an error that is not a SigmaError): the script finds them first by running
sigma-cli, dropping the rule its error names and running it again, and reports them.

Wall time runs from the first process's start to the last one's exit (perf_counter);
peak memory is the largest ru_maxrss of the case's processes, and CPU time the sum of
their user and system time, both from os.wait4's rusage of each process. Each case has
one untimed warm-up run, then --runs (ruleport corpus), --sigma-runs (sigma-cli corpus)
or --one-runs (one rule) timed runs, reported as median, min and max. Outputs go to a
scratch directory on tmpfs (/dev/shm by default), emptied, untimed, before every run.

Counted work: ruleport's rules in are the corpus's *.yml and *.yaml files, its rules out
the files the import wrote and the rules each target wrote; sigma-cli's rules in are
FILES, its rules out those less the rules it lists under "Ignored errors".

The goals checked: the corpus imported and compiled to KQL in under 1 s and at least 10x
faster than sigma-cli's kusto run, import and every target in under 3 s, one rule in
under 10 ms, and every ruleport process under 64 MiB.

Usage: python3 bench/sigma_vs_sigmacli.py SIGMA_RULES_DIR [--json FILE] [options]
Needs ruleport built (done here with `cargo build --release` unless --no-build) and
sigma-cli installed by bench/install.sh (or --sigma PATH); --ruleport-only leaves
sigma-cli out, and with it the speedup goal. docs/benchmarks.md has the results.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ONE_RULE = "windows/process_creation/proc_creation_win_7zip_exfil_dmp_files.yml"
# The pipeline options each sigma-cli target runs with, in every run of it.
SIGMA_PIPELINES = {"kusto": [], "panther": ["-p", "panther"]}
GOAL_KQL_S = 1.0
GOAL_SPEEDUP = 10.0
GOAL_ALL_S = 3.0
GOAL_ONE_S = 0.010
GOAL_RSS_MIB = 64.0


@dataclass
class Step:
    """One process of a case, and the exit statuses that mean it did its work."""

    argv: list[str]
    ok_status: tuple[int, ...] = (0,)


@dataclass
class Sample:
    """One timed run of a case."""

    wall_s: float
    cpu_s: float
    max_rss_kib: int


@dataclass
class Case:
    """A measured command sequence, its samples, and the work it did.

    `count` reads, after the last run, what the case wrote: the rules_out column.
    """

    name: str
    steps: list[Step]
    runs: int
    rules_in: int
    count: Callable[[], str]
    samples: list[Sample] = field(default_factory=list)
    rules_out: str = ""
    load: tuple[float, float] = (0.0, 0.0)


def run_steps(steps: list[Step], scratch: Path) -> Sample:
    """Runs the steps one after the other; their output and errors go to files in scratch."""
    cpu = 0.0
    rss = 0
    start = time.perf_counter()
    for index, step in enumerate(steps):
        with open(scratch / f"step{index}.out", "wb") as out, open(
            scratch / f"step{index}.err", "wb"
        ) as err:
            process = subprocess.Popen(step.argv, stdout=out, stderr=err)
            _, status, usage = os.wait4(process.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code not in step.ok_status:
            tail = (scratch / f"step{index}.err").read_text(errors="replace")[-2000:]
            sys.exit(f"bench: {' '.join(step.argv[:4])} ... exited {code}:\n{tail}")
        cpu += usage.ru_utime + usage.ru_stime
        rss = max(rss, usage.ru_maxrss)
    return Sample(time.perf_counter() - start, cpu, rss)


def measure(case: Case, scratch: Path, outputs: Path) -> None:
    """One warm-up run, then case.runs timed ones, each into an empty outputs directory."""
    before = os.getloadavg()[0]
    for run in range(case.runs + 1):
        shutil.rmtree(outputs, ignore_errors=True)
        outputs.mkdir()
        sample = run_steps(case.steps, scratch)
        if run > 0:
            case.samples.append(sample)
    case.load = (before, os.getloadavg()[0])
    case.rules_out = case.count()
    median = statistics.median(s.wall_s for s in case.samples)
    print(f"bench: {case.name}: median {median:.3f} s over {case.runs} runs", file=sys.stderr)


def stems(directory: Path) -> int:
    """How many rules a target wrote: file names less their extensions, counted once."""
    return len({path.name.split(".")[0] for path in directory.iterdir()})


def ignored_rules(stderr: str, inputs: set[str]) -> set[str]:
    """The rules sigma-cli lists under "Ignored errors:" as `PATH: error`."""
    _, _, listing = stderr.partition("\nIgnored errors:\n")
    return {line.split(": ", 1)[0] for line in listing.splitlines()} & inputs


def aborting_rules(sigma: list[str], files: list[str], scratch: Path) -> list[str]:
    """The rules that make sigma-cli abort the whole conversion, found by running it."""
    dropped: list[str] = []
    remaining = list(files)
    while True:
        argv = sigma + remaining + ["-o", str(scratch / "probe.out")]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode == 0:
            return dropped
        named = re.findall(r"rule (\S+?\.ya?ml)\)", done.stderr)
        culprit = next((path for path in reversed(named) if path in remaining), None)
        if culprit is None:
            sys.exit(f"bench: sigma-cli failed, naming no rule:\n{done.stderr[-2000:]}")
        print(f"bench: sigma-cli aborts on {culprit}: left out", file=sys.stderr)
        dropped.append(culprit)
        remaining.remove(culprit)


def check_tmpfs(path: Path) -> None:
    """Warns when the scratch directory is not on a tmpfs, so the disk would be timed too."""
    best, fstype = "", ""
    for line in Path("/proc/mounts").read_text().splitlines():
        mount, kind = line.split()[1], line.split()[2]
        if str(path).startswith(mount.rstrip("/") + "/") and len(mount) > len(best):
            best, fstype = mount, kind
    if fstype not in ("tmpfs", "ramfs"):
        print(f"bench: warning: {path} is on {fstype or 'unknown'}, not tmpfs", file=sys.stderr)


def ruleport_cases(ruleport: str, rules: Path, one: Path, work: Path,
                   args: argparse.Namespace) -> list[Case]:
    """The ruleport cases: the import alone, import and compile, and one rule."""
    out = work / "out"
    corpus = sum(1 for path in rules.rglob("*") if path.suffix in (".yml", ".yaml"))
    import_step = Step([ruleport, "import", "sigma", str(rules), "--out", str(out / "imp")],
                       (0, 1))

    def compile_step(source: Path, target: str) -> Step:
        return Step([ruleport, "compile", str(source), "--target", target,
                     "--out", str(out / target)])

    def written() -> str:
        imported = sum(1 for path in (out / "imp").rglob("*") if path.is_file())
        counts = [f"{imported} imported"]
        for compiled in sorted(path for path in out.iterdir() if path.name != "imp"):
            counts += [f"{stems(target)} {target.name}" for target in sorted(compiled.iterdir())]
        return ", ".join(counts)

    def corpus_case(name: str, *targets: str) -> Case:
        steps = [import_step] + [compile_step(out / "imp", target) for target in targets]
        return Case(name, steps, args.runs, corpus, written)

    one_steps = [
        Step([ruleport, "import", "sigma", str(one), "--out", str(out / "one")]),
        compile_step(out / "one", "kql"),
    ]
    return [
        corpus_case("ruleport import"),
        corpus_case("ruleport import + kql", "kql"),
        corpus_case("ruleport import + panther", "panther"),
        corpus_case("ruleport import + all", "all"),
        Case("ruleport one rule (kql)", one_steps, args.one_runs, 1,
             lambda: f"{stems(out / 'one')} imported, {stems(out / 'kql' / 'kql')} kql"),
    ]


def sigma_case(name: str, sigma: str, target: str, files: list[str], work: Path,
               runs: int, skip_unsupported: bool = True) -> Case:
    """A sigma-cli convert of files to the target, its output to one file."""
    argv = [sigma, "convert", "-t", target] + SIGMA_PIPELINES[target]
    if skip_unsupported:
        argv.append("-s")
    argv += files + ["-o", str(work / "out" / f"{target}.txt")]

    def converted() -> str:
        stderr = (work / "step0.err").read_text(errors="replace")
        ignored = ignored_rules(stderr, set(files))
        return f"{len(files) - len(ignored)} converted, {len(ignored)} ignored errors"

    return Case(name, [Step(argv)], runs, len(files), converted)


def summary(case: Case) -> dict:
    """A case's results as one row: the spread of its wall times, CPU, memory and work."""
    walls = [s.wall_s for s in case.samples]
    return {
        "case": case.name,
        "runs": case.runs,
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "cpu_median_s": statistics.median(s.cpu_s for s in case.samples),
        "max_rss_mib": max(s.max_rss_kib for s in case.samples) / 1024,
        "rules_in": case.rules_in,
        "rules_out": case.rules_out,
        "load_1min": list(case.load),
        "wall_samples_s": walls,
        "argv": [step.argv[:6] + (["..."] if len(step.argv) > 6 else []) for step in case.steps],
    }


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| case | runs | median s | min s | max s | CPU s | max RSS MiB | rules in | rules out "
        "| load before/after |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['case']} | {row['runs']} | {row['median_s']:.3f} | {row['min_s']:.3f} "
            f"| {row['max_s']:.3f} | {row['cpu_median_s']:.3f} | {row['max_rss_mib']:.1f} "
            f"| {row['rules_in']} | {row['rules_out']} "
            f"| {row['load_1min'][0]:.2f} / {row['load_1min'][1]:.2f} |"
        )
    return "\n".join(lines)


def goals(rows: dict[str, dict]) -> list[tuple[str, str, bool | None]]:
    """Each goal of the issue: what it asks, what was measured, and whether it is met
    (None when sigma-cli was not run)."""
    kql = rows["ruleport import + kql"]["median_s"]
    every = rows["ruleport import + all"]["median_s"]
    one = rows["ruleport one rule (kql)"]["median_s"]
    rss = max(row["max_rss_mib"] for name, row in rows.items() if name.startswith("ruleport"))
    speedup = ("not measured", None)
    if "sigma-cli kusto" in rows:
        times = rows["sigma-cli kusto"]["median_s"] / kql
        speedup = (f"{times:.1f}x", times >= GOAL_SPEEDUP)
    return [
        (f"corpus import + kql < {GOAL_KQL_S:g} s", f"{kql:.3f} s", kql < GOAL_KQL_S),
        (f">= {GOAL_SPEEDUP:g}x sigma-cli kusto", *speedup),
        (f"corpus import + all < {GOAL_ALL_S:g} s", f"{every:.3f} s", every < GOAL_ALL_S),
        (f"one rule < {GOAL_ONE_S * 1000:g} ms", f"{one * 1000:.1f} ms", one < GOAL_ONE_S),
        (f"peak RSS < {GOAL_RSS_MIB:g} MiB", f"{rss:.1f} MiB", rss < GOAL_RSS_MIB),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rules", type=Path, help="the rules/ directory of a SigmaHQ checkout")
    parser.add_argument("--runs", type=int, default=10, help="timed runs of ruleport cases")
    parser.add_argument("--sigma-runs", type=int, default=5, help="timed runs of sigma-cli")
    parser.add_argument("--one-runs", type=int, default=30, help="timed runs of one rule")
    parser.add_argument("--one-rule", default=ONE_RULE, help="rule path under RULES")
    parser.add_argument("--sigma", default=str(REPO / ".bench" / "venv" / "bin" / "sigma"))
    parser.add_argument("--ruleport", help="a ruleport binary (default: build the release)")
    parser.add_argument("--no-build", action="store_true", help="skip cargo build --release")
    parser.add_argument("--scratch", type=Path, default=Path("/dev/shm"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--ruleport-only", action="store_true",
                        help="measure ruleport alone (no sigma-cli, no speedup goal)")
    args = parser.parse_args()

    rules = args.rules.resolve()
    one = rules / args.one_rule
    if not rules.is_dir() or not one.is_file():
        sys.exit(f"bench: no rules directory {rules}, or no {one}")
    if not args.ruleport_only and not Path(args.sigma).is_file():
        sys.exit(f"bench: no sigma-cli at {args.sigma}: run bash bench/install.sh")
    ruleport = args.ruleport or str(REPO / "target" / "release" / "ruleport")
    if not args.ruleport and not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)

    work = Path(tempfile.mkdtemp(prefix="ruleport-bench-", dir=args.scratch))
    check_tmpfs(work)
    try:
        files = sorted(str(path) for path in rules.rglob("*.yml"))
        cases = ruleport_cases(ruleport, rules, one, work, args)
        left_out = {}
        for target in [] if args.ruleport_only else SIGMA_PIPELINES:
            probe = [args.sigma, "convert", "-t", target, *SIGMA_PIPELINES[target], "-s"]
            left_out[target] = aborting_rules(probe, files, work)
            runnable = [path for path in files if path not in left_out[target]]
            cases.append(sigma_case(f"sigma-cli {target}", args.sigma, target, runnable, work,
                                    args.sigma_runs))
        if not args.ruleport_only:
            cases.append(sigma_case("sigma-cli one rule (kusto)", args.sigma, "kusto",
                                    [str(one)], work, args.one_runs, skip_unsupported=False))
        for case in cases:
            measure(case, work, work / "out")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = [summary(case) for case in cases]
    met = goals({row["case"]: row for row in rows})
    print(table(rows))
    print()
    for target, dropped in left_out.items():
        print(f"sigma-cli {target}: {len(dropped)} rules left out (abort the whole run):")
        for path in dropped:
            print(f"  {os.path.relpath(path, rules)}")
    print()
    print("| goal | measured | met |\n|---|---|---|")
    for goal, measured, ok in met:
        print(f"| {goal} | {measured} | {'-' if ok is None else 'yes' if ok else 'no'} |")
    if args.json:
        report = {
            "rules": str(rules),
            "one_rule": args.one_rule,
            "sigma_pipelines": SIGMA_PIPELINES,
            "sigma_left_out": left_out,
            "cases": rows,
            "goals": [{"goal": g, "measured": m, "met": ok} for g, m, ok in met],
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
