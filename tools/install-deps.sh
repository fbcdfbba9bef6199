#!/usr/bin/env bash
# Installs the Debian 12 packages Pledger builds and runs with, only those that
# are missing. Called by tools/test.sh and tools/devnet.sh; safe to run twice.
# Nothing is ever downloaded at build time: this is the only network step.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config make
  libboost-dev libboost-program-options-dev
  libssl-dev openssl
  libleveldb-dev libsnappy-dev
  libtcmalloc-minimal4                     # pledgerd's and pledger-audit's allocator (CMakeLists.txt)
  libprotobuf-dev protobuf-compiler
  libsodium-dev
  catch2
  ca-certificates procps
  python3 python3-jsonschema python3-yaml  # tests: docs/openapi.yaml against real answers
  libjs-chart.js                           # the explorer's charts, embedded into pledgerd at build time
  chromium chromium-driver python3-selenium  # tests/browser: the explorer in a real headless Chromium
  fonts-wqy-microhei                       # ... with a CJK font, so its Chinese screenshots are legible
)
# Extra packages a caller needs (tools/test.sh --tsan asks for clang).
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "install-deps: need root to install: ${missing[*]}" >&2
    echo "install-deps: run as root, or: apt-get install ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
