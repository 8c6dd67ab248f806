#!/usr/bin/env bash
# Checks the Sentinel targets with Microsoft's own KQL parser and binder (Kusto.Language,
# through kql-validate). KQL has no local engine, so this is the real-tool check:
#
#   tests/engines/check_kql.sh BUILD_DIR SCHEMA_DIR
#
# BUILD_DIR holds `ruleport compile --target kql,sentinel,sentinel-arm --out BUILD_DIR`
# output; SCHEMA_DIR the table schemas (mappings/sentinel/schemas). The script also writes
# the conformance corpus (`cargo test --test sentinel`) and checks it. kql-validate with its
# node_modules is looked for in .engines/kql-validate (tests/engines/install.sh), or in
# $KQL_VALIDATE_DIR. Any error, or a missing validator or output, fails the script.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SCHEMA_DIR" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
schemas=$(cd "$2" && pwd)
repo=$(cd "$(dirname "$0")/../.." && pwd)
validator=${KQL_VALIDATE_DIR:-$repo/.engines/kql-validate}
corpus=${KQL_CORPUS_DIR:-$repo/target/kql-corpus}

if [ ! -f "$validator/validate.js" ] || [ ! -d "$validator/node_modules" ]; then
    echo "check_kql: no kql-validate with node_modules in $validator" >&2
    echo "check_kql: run tests/engines/install.sh, or set KQL_VALIDATE_DIR" >&2
    exit 1
fi

if ! log=$(cd "$repo" && KQL_CORPUS_DIR="$corpus" cargo test -q --test sentinel 2>&1); then
    echo "$log" >&2
    echo "check_kql: cargo test --test sentinel failed" >&2
    exit 1
fi
node "$repo/tests/engines/kql_check.js" \
    --validator "$validator" --schemas "$schemas" --build "$build" --corpus "$corpus"
