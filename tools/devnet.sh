#!/usr/bin/env bash
# The main job: a local 3-node Pledger consortium on 127.0.0.1.
#
#   tools/devnet.sh [--reset] [--port-base N] [--no-demo] [--dir DIR]
#
# Builds what is missing, creates devnet/ (CA, node certificates and keys,
# genesis, one config per node, demo account keys) from
# tools/devnet/consortium.json on first run, starts the three nodes (HTTPS
# APIs on 127.0.0.1:26601, 26602 and 26603 unless --port-base says
# otherwise; clients pin devnet/consortium-ca.crt), sets up a demo wallet in
# devnet/demo-wallet, loads a short demo on first run (a patent, a valuation,
# a pledge), prints where everything is, and runs until Ctrl-C, which stops
# every node it started.
#
#   --reset        delete the devnet directory first (a fresh chain)
#   --port-base N  APIs on N+1..N+3 and peers on N+101..N+103 (default 26600)
#   --no-demo      do not load the demo transactions
#   --dir DIR      the devnet directory (default devnet/); PLEDGER_BUILD_DIR
#                  names another build directory than build/
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

reset=0
demo=1
base=26600
dn=$root/devnet
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reset) reset=1 ;;
    --no-demo) demo=0 ;;
    --port-base) base=${2:?--port-base needs a number}; shift ;;
    --port-base=*) base=${1#*=} ;;
    --dir) dn=${2:?--dir needs a directory}; shift ;;
    --dir=*) dn=${1#*=} ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "devnet.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$base" =~ ^[0-9]+$ ]] && (( base >= 1024 && base <= 65000 )) || {
  echo "devnet.sh: --port-base must be a number from 1024 to 65000" >&2; exit 2; }
[[ "$dn" = /* ]] || dn=$root/$dn
build=${PLEDGER_BUILD_DIR:-build}

tools/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
echo "devnet: building (first time takes a while on 2 cores)..."
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" \
  --target pledgerd pledger-admin pledger-wallet pledger-bench
bin=$(cd "$build" && pwd)/bin
# How the printed commands name things: relative to the repository when inside it.
rel() { case "$1" in "$root"/*) echo "${1#"$root"/}" ;; *) echo "$1" ;; esac; }

if [[ $reset -eq 1 ]]; then rm -rf "$dn"; fi
if [[ ! -f "$dn/genesis.json" ]]; then
  mkdir -p "$dn"
  # The spec with this run's ports (26601.. -> base+1.., 26701.. -> base+101..).
  sed -e "s/127\.0\.0\.1:26601/127.0.0.1:$((base + 1))/" -e "s/127\.0\.0\.1:26602/127.0.0.1:$((base + 2))/" \
      -e "s/127\.0\.0\.1:26603/127.0.0.1:$((base + 3))/" -e "s/127\.0\.0\.1:26701/127.0.0.1:$((base + 101))/" \
      -e "s/127\.0\.0\.1:26702/127.0.0.1:$((base + 102))/" -e "s/127\.0\.0\.1:26703/127.0.0.1:$((base + 103))/" \
      tools/devnet/consortium.json > "$dn/consortium.json"
  "$bin/pledger-admin" init --spec "$dn/consortium.json" --out "$dn" >/dev/null
  echo "devnet: created a new consortium in $(rel "$dn")/"
fi

api_port() { # node number -> API port from its config
  sed -n 's/.*"api_listen": *"127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$dn/nodes/node$1/config.json"
}
# HTTPS unless the node's config says "api_tls": false (then it listens on
# loopback only); clients pin the consortium CA. A devnet created before
# pledger-admin wrote consortium-ca.crt gets the copy now.
scheme=https
if grep -q '"api_tls": *false' "$dn/nodes/node1/config.json"; then scheme=http; fi
ca=$dn/consortium-ca.crt
[[ -f "$ca" ]] || cp "$dn/ca/ca.crt" "$ca"
url() { echo "$scheme://127.0.0.1:$(api_port "$1")"; }
chain=$(sed -n 's/.*"chain_id": *"\([^"]*\)".*/\1/p' "$dn/genesis.json" | head -1)

pids=()
cleanup() {
  trap - INT TERM EXIT
  if [[ ${#pids[@]} -gt 0 ]]; then
    echo
    echo "devnet: stopping nodes..."
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    echo "devnet: stopped. Data stays in $(rel "$dn")/ (tools/devnet.sh --reset starts over)."
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

# The demo wallet: every demo account's key, a profile per party. Reads are
# signed (nodes show amounts only to the parties and to full readers), so
# even the readiness probe below reads as an account: the auditor's.
export PLEDGER_HOME="$dn/demo-wallet"
export PLEDGER_DEVNET_PW="devnet demo only"
w() { "$bin/pledger-wallet" "$@"; }
ws() { "$bin/pledger-wallet" "$@" --passphrase-env PLEDGER_DEVNET_PW; }  # commands that sign or read as an account
for k in zjipo-clerk nbipo-clerk qtbank xhbank appraiser lianke-owner auditor regulator; do
  [[ -f "$dn/accounts/$k.key" && ! -f "$PLEDGER_HOME/keys/$k.json" ]] || continue
  # (Its note that the PEM stays unencrypted is for people; the devnet's keys are demo keys.)
  ws key import "$k" --from "$dn/accounts/$k.key" >/dev/null 2>&1
done
cafl=()
[[ $scheme == https ]] && cafl=(--ca "$ca")
profile() { # name node key: (re)written on every start, so ports and scheme follow the devnet
  w profile add "$1" --node "$(url "$2")" --key "$3" --chain-id "$chain" "${cafl[@]}" --force >/dev/null
}
profile demo-zjipo 1 zjipo-clerk
profile demo-appraiser 1 appraiser
profile demo-qtbank 1 qtbank
profile demo-lianke 1 lianke-owner
profile demo-xhbank 2 xhbank
profile demo-auditor 3 auditor
[[ -f "$PLEDGER_HOME/keys/regulator.json" ]] && profile demo-regulator 2 regulator

for n in 1 2 3; do
  "$bin/pledgerd" --config "$dn/nodes/node$n/config.json" >>"$dn/nodes/node$n/pledgerd.log" 2>&1 &
  pids+=($!)
done

# Wait until a leader is elected.
leader=""
for _ in $(seq 1 100); do
  for n in 1 2 3; do
    if ! kill -0 "${pids[$((n - 1))]}" 2>/dev/null; then
      echo "devnet: node$n exited; see $(rel "$dn")/nodes/node$n/pledgerd.log:" >&2
      tail -5 "$dn/nodes/node$n/pledgerd.log" >&2
      exit 1
    fi
  done
  leader=$(ws --profile demo-auditor --node "$(url 1)" status --json 2>/dev/null |
           sed -n 's/.*"leader": *"\([^"]*\)".*/\1/p' | head -1) || true
  [[ -n "$leader" ]] && break
  sleep 0.2
done
if [[ -z "$leader" ]]; then
  echo "devnet: no leader after 20 s; see $(rel "$dn")/nodes/*/pledgerd.log. The probe said:" >&2
  ws --profile demo-auditor --node "$(url 1)" status >&2 || true
  exit 1
fi

patent=ZL201810234567.3
if [[ $demo -eq 1 && ! -f "$dn/.demo-loaded" ]]; then
  echo "devnet: loading the demo (a patent, a valuation, a pledge)..."
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
  pledge=$(ws --profile demo-qtbank submit "$dn/demo-pledge.json" --quiet)
  touch "$dn/.demo-loaded"
  echo "devnet: demo loaded: patent $patent, valuation $valuation, pledge $pledge"
fi

cacert=""
[[ $scheme == https ]] && cacert="--cacert $(rel "$ca") "
home=$(rel "$dn")/demo-wallet
cat <<EOF

Pledger devnet is running: chain $chain, leader $leader.
  APIs        $(url 1)  $(url 2)  $(url 3)$([[ $scheme == https ]] && echo "  (HTTPS: pin $(rel "$ca"))")
  logs        $(rel "$dn")/nodes/node{1,2,3}/pledgerd.log
  keys        $(rel "$dn")/accounts/ (PEM, for pledger-wallet key import); the demo's wallet in $home
              (profiles demo-zjipo, demo-appraiser, demo-qtbank, demo-lianke, demo-xhbank, demo-auditor,
              demo-regulator; passphrase 'devnet demo only')

Try, in another terminal at $root:
  curl -s ${cacert}$(url 1)/v1/status
  curl -s ${cacert}$(url 1)/v1/patents/$patent     # anonymous: the gazette view, "redacted" lists what is withheld
  export PLEDGER_HOME=$home PLEDGER_DEVNET_PW='devnet demo only'
  $(rel "$bin")/pledger-wallet --profile demo-qtbank login --passphrase-env PLEDGER_DEVNET_PW   # signed in for 15 minutes
  $(rel "$bin")/pledger-wallet --profile demo-qtbank patent show $patent       # the pledgee sees the loan in full
  $(rel "$bin")/pledger-wallet --profile demo-xhbank patent show $patent --passphrase-env PLEDGER_DEVNET_PW   # another bank: amounts withheld
  $(rel "$bin")/pledger-bench --duration 20                   # load: committed tx/s and latency (--mix read: reads/s)
  README.md has a five-minute tour with the wallet.

Ctrl-C stops all three nodes.
EOF
wait
