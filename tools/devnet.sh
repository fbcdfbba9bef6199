#!/usr/bin/env bash
# The main job: a local 3-node Pledger consortium on 127.0.0.1.
#
#   tools/devnet.sh [--reset] [--port-base N] [--no-demo]
#
# Builds what is missing, creates devnet/ (CA, node certificates and keys,
# genesis, one config per node, demo account keys) from
# tools/devnet/consortium.json on first run, starts the three nodes (HTTP APIs
# on 127.0.0.1:26601, 26602 and 26603 unless --port-base says otherwise),
# loads a short demo on first run (a patent, a valuation, a pledge), prints
# where everything is, and runs until Ctrl-C, which stops every node it started.
#
#   --reset        delete devnet/ first (a fresh chain)
#   --port-base N  APIs on N+1..N+3 and peers on N+101..N+103 (default 26600)
#   --no-demo      do not load the demo transactions
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

reset=0
demo=1
base=26600
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reset) reset=1 ;;
    --no-demo) demo=0 ;;
    --port-base) base=${2:?--port-base needs a number}; shift ;;
    --port-base=*) base=${1#*=} ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "devnet.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$base" =~ ^[0-9]+$ ]] && (( base >= 1024 && base <= 65000 )) || {
  echo "devnet.sh: --port-base must be a number from 1024 to 65000" >&2; exit 2; }

tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
echo "devnet: building (first time takes a while on 2 cores)..."
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" \
  --target pledgerd pledger-admin pledger-wallet pledger-bench
bin=$root/build/bin
dn=$root/devnet

if [[ $reset -eq 1 ]]; then rm -rf "$dn"; fi
if [[ ! -f "$dn/genesis.json" ]]; then
  mkdir -p "$dn"
  # The spec with this run's ports (26601.. -> base+1.., 26701.. -> base+101..).
  sed -e "s/127\.0\.0\.1:26601/127.0.0.1:$((base + 1))/" -e "s/127\.0\.0\.1:26602/127.0.0.1:$((base + 2))/" \
      -e "s/127\.0\.0\.1:26603/127.0.0.1:$((base + 3))/" -e "s/127\.0\.0\.1:26701/127.0.0.1:$((base + 101))/" \
      -e "s/127\.0\.0\.1:26702/127.0.0.1:$((base + 102))/" -e "s/127\.0\.0\.1:26703/127.0.0.1:$((base + 103))/" \
      tools/devnet/consortium.json > "$dn/consortium.json"
  "$bin/pledger-admin" init --spec "$dn/consortium.json" --out "$dn" >/dev/null
  echo "devnet: created a new consortium in devnet/"
fi

api_port() { # node number -> API port from its config
  sed -n 's/.*"api_listen": *"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$dn/nodes/node$1/config.json"
}

pids=()
cleanup() {
  trap - INT TERM EXIT
  if [[ ${#pids[@]} -gt 0 ]]; then
    echo
    echo "devnet: stopping nodes..."
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    echo "devnet: stopped. Data stays in devnet/ (tools/devnet.sh --reset starts over)."
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for n in 1 2 3; do
  port=$(api_port $n)
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "devnet: port $port is already in use (another devnet running?). Stop it, or use --port-base." >&2
    exit 1
  fi
done
for n in 1 2 3; do
  "$bin/pledgerd" --config "$dn/nodes/node$n/config.json" >>"$dn/nodes/node$n/pledgerd.log" 2>&1 &
  pids+=($!)
done

# Wait until a leader is elected.
url1="http://127.0.0.1:$(api_port 1)"
leader=""
for _ in $(seq 1 100); do
  for n in 1 2 3; do
    if ! kill -0 "${pids[$((n - 1))]}" 2>/dev/null; then
      echo "devnet: node$n exited; see devnet/nodes/node$n/pledgerd.log:" >&2
      tail -5 "$dn/nodes/node$n/pledgerd.log" >&2
      exit 1
    fi
  done
  leader=$("$bin/pledger-wallet" --node "$url1" status --json 2>/dev/null |
           sed -n 's/.*"leader": *"\([^"]*\)".*/\1/p' | head -1) || true
  [[ -n "$leader" ]] && break
  sleep 0.2
done
[[ -n "$leader" ]] || { echo "devnet: no leader after 20 s; see devnet/nodes/*/pledgerd.log" >&2; exit 1; }

export PLEDGER_HOME="$dn/demo-wallet"
export PLEDGER_DEVNET_PW="devnet demo only"
w() { "$bin/pledger-wallet" "$@"; }
ws() { "$bin/pledger-wallet" "$@" --passphrase-env PLEDGER_DEVNET_PW; }  # commands that sign

if [[ $demo -eq 1 && ! -f "$dn/.demo-loaded" ]]; then
  echo "devnet: loading the demo (a patent, a valuation, a pledge)..."
  for k in zjipo-clerk nbipo-clerk qtbank xhbank appraiser lianke-owner auditor; do
    ws key import "$k" --from "$dn/accounts/$k.key" >/dev/null 2>&1 || true
  done
  w profile add demo-zjipo --node "$url1" --key zjipo-clerk >/dev/null
  w profile add demo-appraiser --node "$url1" --key appraiser >/dev/null
  w profile add demo-qtbank --node "$url1" --key qtbank >/dev/null
  w profile add demo-lianke --node "$url1" --key lianke-owner >/dev/null
  patent=ZL201810234567.3
  ws --profile demo-zjipo patent register --patent $patent \
      --title "Self-compensating strain gauge for bridge monitoring" --ipc "G01B 7/16" \
      --filed 2018-03-12 --granted 2020-06-30 --owner lianke --fee-paid-through today+365 --quiet >/dev/null
  printf 'Appraisal report ZJ-DEMO-001\n' > "$dn/demo-report.txt"
  valuation=$(ws --profile demo-appraiser valuation record --patent $patent --method income \
      --base-date today --value 8000000 --realisable 5000000 --report "$dn/demo-report.txt" \
      --licence-no ZJ-AP-2024-017 --quiet)
  printf 'Pledge contract QT-DEMO-0001\n' > "$dn/demo-contract.txt"
  ws --profile demo-qtbank pledge register --patent $patent --pledgee qtbank \
      --debt-type "working-capital loan" --principal 1,500,000.00 --rate 3.65 --due today+730 \
      --valuation "$valuation" --contract "$dn/demo-contract.txt" --out "$dn/demo-pledge.json" --quiet >/dev/null
  ws --profile demo-lianke sign "$dn/demo-pledge.json" >/dev/null
  ws --profile demo-zjipo sign "$dn/demo-pledge.json" >/dev/null
  pledge=$(w --profile demo-qtbank submit "$dn/demo-pledge.json" --quiet)
  touch "$dn/.demo-loaded"
  echo "devnet: demo loaded: patent $patent, valuation $valuation, pledge $pledge"
fi

cat <<EOF

Pledger devnet is running: chain pledger-devnet, leader $leader.
  HTTP APIs   http://127.0.0.1:$(api_port 1)  http://127.0.0.1:$(api_port 2)  http://127.0.0.1:$(api_port 3)
  logs        devnet/nodes/node{1,2,3}/pledgerd.log
  keys        devnet/accounts/ (PEM, for pledger-wallet key import); the demo's wallet in devnet/demo-wallet

Try, in another terminal at $root:
  curl -s http://127.0.0.1:$(api_port 1)/v1/status
  curl -s http://127.0.0.1:$(api_port 1)/v1/patents/ZL201810234567.3
  PLEDGER_HOME=devnet/demo-wallet build/bin/pledger-wallet --node http://127.0.0.1:$(api_port 2) pledge list --bank qtbank
  build/bin/pledger-bench --duration 20          # load: committed tx/s and latency
  README.md has a five-minute tour with the wallet.

Ctrl-C stops all three nodes.
EOF
wait
