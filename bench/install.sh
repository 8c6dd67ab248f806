#!/usr/bin/env bash
# Installs the pinned sigma-cli that bench/sigma_vs_sigmacli.py measures ruleport against,
# into a venv of its own (never globally, and apart from tests/engines' .engines/venv):
#
#   <repo>/.bench/venv   Python 3.11 venv with bench/requirements.txt (all pinned, --no-deps)
#
# Usage: bash bench/install.sh
# Safe to run again: the venv is rebuilt from scratch only when requirements.txt or the
# Python version changed, or the venv holds anything but the pinned set.
# Environment: PYTHON (default python3, must be 3.11), BENCH_VENV (default <repo>/.bench/venv).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
venv=${BENCH_VENV:-$repo/.bench/venv}
python=${PYTHON:-python3}
requirements=$here/requirements.txt

say() { printf 'bench install: %s\n' "$*"; }
die() { printf 'bench install: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=../scripts/pinned_venv.sh
. "$repo/scripts/pinned_venv.sh"

pinned_venv "$python" "$venv" "$requirements" pip

# `sigma version` would ask PyPI for the newest release; the installed metadata is enough.
say "versions:"
for package in sigma-cli pySigma pySigma-backend-kusto pySigma-backend-panther; do
    printf '  %-26s %s\n' "$package" "$("$venv/bin/python" -m pip show \
        --disable-pip-version-check "$package" | sed -n 's/^Version: //p')"
done
say "sigma: $venv/bin/sigma"
