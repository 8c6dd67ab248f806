#!/usr/bin/env bash
# Installs the engines that check ruleport's output into .engines/ at the repository root,
# never globally (PostgreSQL's server binaries excepted: they come from Debian's package):
#
#   .engines/venv           Python 3.11 venv with tests/engines/requirements.txt (all pinned)
#   .engines/kql-validate   tests/engines/kql-validate with its node_modules (`npm ci`)
#   PostgreSQL              initdb/pg_ctl from PATH or /usr/lib/postgresql/*/bin, else
#                           `apt-get install postgresql`; no server is started
#   sqlite3                 the SQLite shell, with its built-in REGEXP (SQLite's regexp
#                           extension), from PATH, else `apt-get install sqlite3`
#
# Usage: bash tests/engines/install.sh
# Safe to run again: each part is redone only when its inputs changed (the venv is rebuilt
# from scratch when requirements.txt changes or the venv holds anything else,
# node_modules when package.json, package-lock.json or the Node version does).
# Environment: PYTHON (default python3, must be 3.11), ENGINES_DIR (default <repo>/.engines).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
engines=${ENGINES_DIR:-$repo/.engines}
python=${PYTHON:-python3}

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: error: %s\n' "$*" >&2; exit 1; }
digest() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

mkdir -p "$engines"
engines=$(cd "$engines" && pwd)
say "engines directory: $engines"

# ---------------------------------------------------------------- Python venv
# shellcheck source=../../scripts/pinned_venv.sh
. "$repo/scripts/pinned_venv.sh"

install_venv() {
    pinned_venv "$python" "$engines/venv" "$here/requirements.txt" pip
}

# ------------------------------------------------------------ kql-validate (npm)
install_kql_validate() {
    local src=$here/kql-validate dst=$engines/kql-validate
    local stamp=$dst/.ruleport-lock.sha256 want have=''
    command -v node >/dev/null || die "no node: install Node.js >= 18 (Debian: nodejs, npm)"
    command -v npm >/dev/null || die "no npm: install npm"
    mkdir -p "$dst"
    say "kql-validate: copying $src -> $dst"
    # The sources only; node_modules lives in $dst alone.
    cp -f "$src/package.json" "$src/package-lock.json" "$src/validate.js" "$src/README.md" "$dst/"
    rm -rf "$dst/test" "$dst/examples"
    cp -R "$src/test" "$src/examples" "$dst/"
    want="$(digest "$src/package.json" "$src/package-lock.json") $(node --version)"
    [ -f "$stamp" ] && have=$(cat "$stamp")
    if [ "$have" = "$want" ] && [ -d "$dst/node_modules/@kusto/language-service-next" ]; then
        say "kql-validate: node_modules up to date"
        return
    fi
    say "kql-validate: npm ci in $dst"
    (cd "$dst" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
}

# ------------------------------------------------------------------- PostgreSQL
pg_bindir() {
    local found dir
    found=$(command -v initdb 2>/dev/null || true)
    if [ -n "$found" ] && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$found")"
        return
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return
        fi
    done
}

as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root for: $*"
    fi
}

# Installs a Debian package, updating the package lists once if the first try fails.
# Usage: apt_install WHAT PACKAGE, where WHAT names it in messages.
apt_install() {
    local what=$1 package=$2
    command -v apt-get >/dev/null || die "$what: not found, and no apt-get to install $package"
    say "$what: not found: apt-get install -y --no-install-recommends $package"
    if ! as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "$package"; then
        say "$what: install failed; running apt-get update first and retrying"
        as_root apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends "$package"
    fi
}

install_postgres() {
    local bindir
    bindir=$(pg_bindir)
    if [ -z "$bindir" ]; then
        apt_install "postgres (initdb/pg_ctl)" postgresql
        bindir=$(pg_bindir)
        [ -n "$bindir" ] ||
            die "postgres: apt-get ran, but still no initdb/pg_ctl (files removed? try: apt-get install --reinstall postgresql-15, or the installed major version)"
    fi
    say "postgres: server binaries in $bindir (no server started)"
    if [ "$(id -u)" = 0 ] && ! id -u postgres >/dev/null 2>&1; then
        say "postgres: warning: no 'postgres' user; as root, initdb must run as a non-root user"
    fi
}

# ------------------------------------------------------------------- sqlite3 shell
install_sqlite_shell() {
    if ! command -v sqlite3 >/dev/null; then
        apt_install "sqlite3" sqlite3
        command -v sqlite3 >/dev/null || die "sqlite3: apt-get ran, but still no sqlite3 on PATH"
    fi
    say "sqlite3: $(command -v sqlite3)"
}

install_venv
install_kql_validate
install_postgres
install_sqlite_shell

# ----------------------------------------------------------------- versions
venv=$engines/venv
pkg_version() {
    "$venv/bin/python" -m pip show --disable-pip-version-check "$1" 2>/dev/null |
        sed -n 's/^Version: //p'
}
bindir=$(pg_bindir)
kusto=$(node -p "require('$engines/kql-validate/node_modules/@kusto/language-service-next/package.json').version")
yaml=$(node -p "require('$engines/kql-validate/node_modules/yaml/package.json').version")
echo
say "versions:"
printf '  %-32s %s\n' \
    "python (venv)" "$("$venv/bin/python" --version 2>&1 | cut -d' ' -f2)" \
    "panther-analysis-tool (pat)" "$(pkg_version panther-analysis-tool)" \
    "panther-core" "$(pkg_version panther-core)" \
    "eql" "$(pkg_version eql)" \
    "duckdb" "$("$venv/bin/python" -c 'import duckdb; print(duckdb.__version__)')" \
    "sqlglot" "$(pkg_version sqlglot)" \
    "psycopg" "$(pkg_version psycopg)" \
    "node" "$(node --version)" \
    "@kusto/language-service-next" "$kusto" \
    "yaml (npm)" "$yaml" \
    "postgres (initdb)" "$("$bindir/initdb" --version)" \
    "sqlite3 (shell)" "$(sqlite3 --version | cut -d' ' -f1)" \
    "postgres (pg_ctl)" "$("$bindir/pg_ctl" --version)" \
    "postgres binaries" "$bindir"
say "done"
