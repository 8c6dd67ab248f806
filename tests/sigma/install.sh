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
# Package names as pip compares them: case, `-`, `_` and `.` folded.
normalize() { tr '[:upper:]' '[:lower:]' | sed -E 's/[-_.]+/-/g' | sort; }
# What the venv holds, less pip and setuptools, which every new venv brings.
frozen() {
    "$venv/bin/python" -m pip freeze --all --disable-pip-version-check |
        grep -v -i -E '^(pip|setuptools)==' | normalize
}

command -v "$python" >/dev/null || die "no $python: install CPython 3.11 (or set PYTHON)"
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$version" = 3.11 ] || die "$python is Python $version; the pins are for 3.11 (set PYTHON)"

pinned=$(grep -E '^[A-Za-z0-9]' "$requirements" | sed 's/[[:space:]]*#.*//' | normalize)
want="$(sha256sum "$requirements" | cut -d' ' -f1) $version"
stamp=$venv/.ruleport-requirements.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
    "$venv/bin/python" -c 'import sys' 2>/dev/null && [ "$(frozen)" = "$pinned" ]; then
    say "up to date ($venv)"
    exit 0
fi

rm -rf "$venv"
say "creating $venv with $("$python" -c 'import sys; print(sys.executable)') ($version)"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$requirements"
"$venv/bin/python" -m pip check --disable-pip-version-check
if [ "$(frozen)" != "$pinned" ]; then
    diff <(echo "$pinned") <(frozen) >&2 || true
    die "the installed set differs from requirements.txt (see the diff above)"
fi
echo "$want" >"$stamp"
say "installed $(echo "$pinned" | wc -l) pinned packages:"
"$venv/bin/python" -m pip show --disable-pip-version-check pysigma pysigma-backend-sqlite |
    sed -n 's/^\(Name\|Version\): /  /p' | paste - -
