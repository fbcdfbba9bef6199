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
# Run by tools/test.sh before it builds, so CI runs it too.
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

# No tool links the daemon library.
if grep -nE 'pledger_node\b' tools/CMakeLists.txt tools/*/*.cmake 2>/dev/null; then
  echo "check-layers: a program in tools/ links pledger_node (the daemon library); use pledger_io" >&2
  fail=1
fi

if [[ $fail -ne 0 ]]; then
  echo "check-layers: includes or links point the wrong way (docs/architecture.md)" >&2
  exit 1
fi
echo "check-layers: ok" >&2
