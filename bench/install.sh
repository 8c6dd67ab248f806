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
stamp=$venv/.ruleport-bench-requirements.sha256

say() { printf 'bench install: %s\n' "$*"; }
die() { printf 'bench install: error: %s\n' "$*" >&2; exit 1; }
# Package names and versions as pip compares them: case, `-`, `_` and `.` folded.
normalize() { tr '[:upper:]' '[:lower:]' | sed -E 's/[-_.]+/-/g' | sort; }
# What the venv holds, as `pip freeze --all` less pip itself, normalized.
frozen() {
    "$venv/bin/python" -m pip freeze --all --disable-pip-version-check |
        grep -v -i '^pip==' | normalize
}

command -v "$python" >/dev/null || die "no $python: install CPython 3.11 (or set PYTHON)"
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$version" = 3.11 ] || die "$python is Python $version; the pins are for 3.11 (set PYTHON)"
want="$(sha256sum "$requirements" | cut -d' ' -f1) $version"
pinned=$(grep -E '^[A-Za-z0-9]' "$requirements" | sed 's/[[:space:]]*#.*//' | normalize)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
    "$venv/bin/python" -c 'import sys' 2>/dev/null && [ "$(frozen)" = "$pinned" ]; then
    say "venv up to date ($venv)"
else
    if [ -e "$venv" ]; then
        say "requirements changed, or venv broken or altered: removing $venv"
        rm -rf "$venv"
    fi
    say "creating $venv with $("$python" -c 'import sys; print(sys.executable)') ($version)"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
    say "pip install --no-deps -r $requirements"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
        -r "$requirements"
    say "pip check"
    "$venv/bin/python" -m pip check --disable-pip-version-check
    if [ "$(frozen)" != "$pinned" ]; then
        diff <(echo "$pinned") <(frozen) >&2 || true
        die "installed set differs from requirements.txt (see diff above)"
    fi
    echo "$want" >"$stamp"
fi

# `sigma version` would ask PyPI for the newest release; the installed metadata is enough.
say "versions:"
for package in sigma-cli pySigma pySigma-backend-kusto pySigma-backend-panther; do
    printf '  %-26s %s\n' "$package" "$("$venv/bin/python" -m pip show \
        --disable-pip-version-check "$package" | sed -n 's/^Version: //p')"
done
say "sigma: $venv/bin/sigma"
