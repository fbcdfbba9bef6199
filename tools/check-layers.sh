#!/usr/bin/env bash
# Fails when an #include or a link line points up the layer graph of
# docs/architecture.md:
#
#   consensus <- ledger <- ledger/io  <--+
#                       <- contracts  <--+-- node   (pledgerd)
#                                        +-- tools  (wallet, audit, admin, bench)
#
# ledger/io may use ledger and consensus; contracts may use ledger (not
# ledger/io: execution does no I/O); node and tools both sit on contracts and
# ledger/io, and never on each other. Tests may include anything.
# Run by tools/test.sh once the build is configured (pass the build directory
# to also check the resolved link lines), so CI runs it too.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
# check <dir> <allowed include prefixes...>: every project include in <dir>
# (not under an excluded subdirectory) starts with one of the prefixes.
check() {
  local dir=$1 exclude=$2
  shift 2
  local allowed="$*"
  local pattern
  pattern=$(printf '%s|' "$@")
  pattern=${pattern%|}
  while IFS= read -r line; do
    [[ -z "$line" ]] && continue
    echo "check-layers: $line" >&2
    echo "  ($dir may include only: $allowed)" >&2
    fail=1
  done < <(grep -rnE '^#include "' --include='*.h' --include='*.cc' "$dir" \
             | { if [[ -n "$exclude" ]]; then grep -v "^$exclude/"; else cat; fi; } \
             | grep -vE "#include \"($pattern)" || true)
}

check consensus "" consensus/
check ledger ledger/io consensus/ ledger/
check ledger/io "" consensus/ ledger/
check contracts "" consensus/ ledger/ contracts/
if grep -rnE '^#include "ledger/io/' --include='*.h' --include='*.cc' ledger | grep -v '^ledger/io/'; then
  echo "check-layers: ledger/ includes ledger/io/ (io sits above the ledger core)" >&2
  fail=1
fi
# contracts must not reach ledger/io (files, network, threads) either.
if grep -rnE '^#include "ledger/io/' --include='*.h' --include='*.cc' contracts; then
  echo "check-layers: contracts/ includes ledger/io/ (contracts do no I/O)" >&2
  fail=1
fi
check node "" consensus/ ledger/ contracts/ node/
check tools "" consensus/ ledger/ contracts/ tools/

# No tool links the daemon library, directly or through another library:
# the CMake files name it nowhere in tools/, and, given a configured build
# directory, the resolved link line of each tool program lacks it.
if grep -nE 'pledger_node\b' tools/CMakeLists.txt tools/*/*.cmake 2>/dev/null; then
  echo "check-layers: a program in tools/ links pledger_node (the daemon library); use pledger_io" >&2
  fail=1
fi
build_dir=${1:-}
if [[ -n "$build_dir" && -f "$build_dir/build.ninja" ]]; then
  for prog in pledger-wallet pledger-audit pledger-admin pledger-bench; do
    line=$(grep -m1 "^build bin/$prog:" "$build_dir/build.ninja" || true)
    if [[ -z "$line" ]]; then
      echo "check-layers: no link line for $prog in $build_dir/build.ninja" >&2
      fail=1
    elif grep -qE 'libpledger_node(_proto)?\.a' <<<"$line"; then
      echo "check-layers: $prog links the daemon library (libpledger_node) through its dependencies" >&2
      fail=1
    fi
  done
fi

# ctest splits a test name at ';' (catch_discover_tests makes a list of it),
# so such a test runs under two broken names and fails: refuse the name here.
if semi=$(grep -rnE 'TEST_CASE\("[^"]*;' tests/ 2>/dev/null); [[ -n "$semi" ]]; then
  echo "check-layers: test names must not contain ';' (ctest splits them):" >&2
  echo "$semi" >&2
  fail=1
fi

if [[ $fail -ne 0 ]]; then
  echo "check-layers: includes or links point the wrong way, or a test name is unusable (docs/architecture.md)" >&2
  exit 1
fi
echo "check-layers: ok" >&2
