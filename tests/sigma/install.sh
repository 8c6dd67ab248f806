#!/usr/bin/env bash
# Installs pySigma and its SQLite backend, pinned, into .sigma/venv at the repository root
# (never globally), for tests/sigma/differential.py.
#
# Usage: bash tests/sigma/install.sh
# Safe to run again: the venv is rebuilt from scratch only when requirements.txt or the
# Python version changed, or the venv holds anything else than the pinned set.
# Environment: PYTHON (default python3, must be 3.11), SIGMA_VENV (default <repo>/.sigma/venv).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv=${SIGMA_VENV:-$repo/.sigma/venv}
python=${PYTHON:-python3}
requirements=$here/requirements.txt

say() { printf 'sigma install: %s\n' "$*"; }
die() { printf 'sigma install: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=../../scripts/pinned_venv.sh
. "$repo/scripts/pinned_venv.sh"

pinned_venv "$python" "$venv" "$requirements" 'pip|setuptools'
say "versions:"
"$venv/bin/python" -m pip show --disable-pip-version-check pysigma pysigma-backend-sqlite |
    sed -n 's/^\(Name\|Version\): /  /p' | paste - -
