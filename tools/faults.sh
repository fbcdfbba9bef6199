#!/usr/bin/env bash
# Builds the release flavour (as tools/test.sh does, in build/) and runs the
# fault suite of issue 17 at its long size (docs/reliability.md "Fault
# suite"): about 7 minutes on 2 cores. Arguments go to pledger-faults:
#
#   tools/faults.sh                          every scenario, long size, a new seed
#   tools/faults.sh --scenario partition     one scenario
#   tools/faults.sh --seed 123456 --keep     replay a seed; keep the cluster's
#                                            files if a scenario fails
#   tools/faults.sh --short                  the CI size (ctest -L faults runs it)
#
# disk-full mounts a small tmpfs, which needs root; without it the scenario
# says so and injects the write failure through the storage seam instead.
# Exit code is non-zero when a scenario fails; its line names the seed.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
dir=build
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build "$dir" -j "$jobs" --target pledgerd pledger-faults
exec "$dir/bin/pledger-faults" "$@"
