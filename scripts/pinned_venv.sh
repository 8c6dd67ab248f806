# Sourced by the installers of the project's Python venvs (tests/engines/install.sh,
# tests/sigma/install.sh, bench/install.sh): one way to make a venv that holds exactly the
# pinned set of a requirements file, and to leave it alone while it does.
#
#   pinned_venv PYTHON VENV REQUIREMENTS IGNORED
#
# PYTHON must be CPython 3.11. REQUIREMENTS pins every package; they are installed with
# --no-deps and checked with `pip check`. IGNORED is an extended regex of the packages a new
# venv brings that REQUIREMENTS does not pin (`pip`, or `pip|setuptools`): `pip freeze`
# leaves them out before the venv is compared with the pins. The venv is rebuilt from
# scratch only when REQUIREMENTS or the Python version changed, or the venv holds anything
# but the pinned set. The sourcing script defines `say` and `die`.

# Package names and versions as pip compares them: case, `-`, `_` and `.` folded.
pinned_normalize() { tr '[:upper:]' '[:lower:]' | sed -E 's/[-_.]+/-/g' | sort; }

# What the venv $1 holds, less the packages matching $2, normalized.
pinned_frozen() {
    "$1/bin/python" -m pip freeze --all --disable-pip-version-check |
        grep -v -i -E "^($2)==" | pinned_normalize
}

pinned_venv() {
    local python=$1 venv=$2 requirements=$3 ignored=$4
    local stamp=$venv/.ruleport-requirements.sha256 version want pinned
    command -v "$python" >/dev/null || die "no $python: install CPython 3.11 (or set PYTHON)"
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    [ "$version" = 3.11 ] || die "$python is Python $version; the pins are for 3.11 (set PYTHON)"
    want="$(sha256sum "$requirements" | cut -d' ' -f1) $version"
    pinned=$(grep -E '^[A-Za-z0-9]' "$requirements" | sed 's/[[:space:]]*#.*//' |
        pinned_normalize)

    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
        "$venv/bin/python" -c 'import sys' 2>/dev/null &&
        [ "$(pinned_frozen "$venv" "$ignored")" = "$pinned" ]; then
        say "venv: up to date ($venv)"
        return
    fi
    if [ -e "$venv" ]; then
        say "venv: requirements changed, or venv broken or altered: removing $venv"
        rm -rf "$venv"
    fi
    say "venv: creating $venv with $("$python" -c 'import sys; print(sys.executable)') ($version)"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv"
    say "venv: pip install --no-deps -r $requirements"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
        -r "$requirements"
    say "venv: pip check"
    "$venv/bin/python" -m pip check --disable-pip-version-check
    local frozen
    frozen=$(pinned_frozen "$venv" "$ignored")
    if [ "$frozen" != "$pinned" ]; then
        diff <(echo "$pinned") <(echo "$frozen") >&2 || true
        die "venv: the installed set differs from requirements.txt (see the diff above)"
    fi
    echo "$want" >"$stamp"
    say "venv: installed $(echo "$frozen" | wc -l) pinned packages"
}
