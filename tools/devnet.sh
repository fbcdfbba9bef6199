#!/usr/bin/env bash
# The main job: a local 3-node Pledger consortium on 127.0.0.1.
# Until the node (pledgerd) exists this builds everything and says what there is.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
echo
echo "Built programs in build/bin:"
ls -1 build/bin 2>/dev/null | sed 's/^/  /' || true
if [[ ! -x build/bin/pledgerd ]]; then
  echo "pledgerd is not built yet: there is no consortium to start. Run tools/test.sh for the tests."
fi
