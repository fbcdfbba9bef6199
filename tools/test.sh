#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite through ctest.
# Exit code is non-zero on any failure.
#
#   tools/test.sh                 release build in build/, every test
#   tools/test.sh --sanitize      ASan+UBSan build in build-asan/, unit tests
#   tools/test.sh --sanitize --all  ASan+UBSan build, every test
#   tools/test.sh --tsan          clang ThreadSanitizer build in build-tsan/ (lock
#                                 annotations checked too), the unit tests that
#                                 start threads and the integration tests
#   tools/test.sh -L sim          extra arguments go to ctest (here: one label)
#
# Labels: unit, unit-single-thread (matched by -L unit), sim, integration,
# faults, browser. Programs land in build/bin/.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=0
tsan=0
all=0
ctest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) sanitize=1 ;;
    --tsan) tsan=1 ;;
    --all) all=1 ;;
    *) ctest_args+=("$1") ;;
  esac
  shift
done

if [[ $tsan -eq 1 ]]; then tools/install-deps.sh clang; else tools/install-deps.sh; fi

jobs=$(nproc 2>/dev/null || echo 2)
target=all
if [[ $tsan -eq 1 ]]; then
  dir=build-tsan
  # -O1 with line tables only: TSan reports keep file:line, and the build is
  # far quicker than -O2 -g on two cores.
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" -DPLEDGER_TSAN=ON >/dev/null
  if [[ ${#ctest_args[@]} -eq 0 ]]; then
    # Tests labelled unit-single-thread start no thread for TSan to watch
    # (tests/CMakeLists.txt, `tsan-tests`); the ASan pass runs them.
    ctest_args=(-L 'unit|integration' -LE single-thread)
    target=tsan-tests
  fi
  # halt_on_error: a race fails the test that hit it (a node under test dies,
  # so its cluster test fails), never a line lost in a log.
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:history_size=4:report_signal_unsafe=0:suppressions=$PWD/tests/tsan.supp}
elif [[ $sanitize -eq 1 ]]; then
  dir=build-asan
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPLEDGER_SANITIZE=ON >/dev/null
  if [[ $all -eq 0 && ${#ctest_args[@]} -eq 0 ]]; then
    ctest_args=(-L unit)
    target=unit-tests  # build only what the unit tests need
  fi
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
else
  dir=build
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi

tools/check-layers.sh "$dir"

start=$(date +%s)
cmake --build "$dir" -j "$jobs" --target "$target"
built=$(date +%s)
echo "test.sh: build took $((built - start)) s" >&2
ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 900 ${ctest_args[@]+"${ctest_args[@]}"}
echo "test.sh: tests took $(( $(date +%s) - built )) s" >&2
