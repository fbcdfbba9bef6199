#!/usr/bin/env bash
# A soak of a local 3-node consortium under mixed load with faults (issue 17),
# outside CI: memory and disk growth recorded, every acknowledged transaction
# checked on every node at the end, block hashes and state roots compared at
# every height.
#
#   tools/soak.sh [--minutes N] [--clients N] [--dir DIR] [--port-base N] [--seed N]
#
#   --minutes N    length of the loaded part (default 60)
#   --clients N    pledger-bench clients per round (default 16: a steady load
#                  well below saturation, so that faults, not overload, are
#                  what the run exercises)
#   --dir DIR      where the chain, logs and figures go (default /tmp/pledger-soak)
#   --port-base N  APIs on N+1..N+3, peers on N+101..N+103 (default 27600)
#   --seed N       chooses the faults' order and victims (printed; default: time)
#
# Rounds of 60 s of pledger-bench alternate the flow mix (patent, valuation,
# pledge signed by three parties) and the patent mix; 20 s into each round one
# fault from a fixed cycle hits the cluster: kill -9 of the leader (restarted
# 5 s later), SIGSTOP of the leader for 10 s, kill -9 of a follower
# (restarted 10 s later), kill -9 of all three at once (restarted together).
# Every 30 s DIR/soak.csv gets each node's resident memory, data directory
# size and height. At the end: pledger-bench --check on every round's record
# (every acknowledged transaction committed on every node) and
# tools/soak/check_chain.py (same hash and state root at every height on every
# node). Exit code 0 only if every check passed. PLEDGER_BUILD_DIR names the
# build directory (default build/; built here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

minutes=60
clients=16
dn=/tmp/pledger-soak
base=27600
seed=$(date +%s)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes=${2:?}; shift ;;
    --clients) clients=${2:?}; shift ;;
    --dir) dn=${2:?}; shift ;;
    --port-base) base=${2:?}; shift ;;
    --seed) seed=${2:?}; shift ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for v in minutes clients base seed; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || { echo "soak.sh: --$v must be a whole number" >&2; exit 2; }
done
echo "soak: seed $seed (replay the fault order with --seed $seed)"
RANDOM=$seed

build=${PLEDGER_BUILD_DIR:-build}
if [[ ! -x "$build/bin/pledgerd" || ! -x "$build/bin/pledger-bench" ]]; then
  tools/install-deps.sh
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target pledgerd pledger-admin pledger-bench
fi
bin=$(cd "$build" && pwd)/bin

rm -rf "$dn"
mkdir -p "$dn/records"
sed -e "s/127\.0\.0\.1:26601/127.0.0.1:$((base + 1))/" -e "s/127\.0\.0\.1:26602/127.0.0.1:$((base + 2))/" \
    -e "s/127\.0\.0\.1:26603/127.0.0.1:$((base + 3))/" -e "s/127\.0\.0\.1:26701/127.0.0.1:$((base + 101))/" \
    -e "s/127\.0\.0\.1:26702/127.0.0.1:$((base + 102))/" -e "s/127\.0\.0\.1:26703/127.0.0.1:$((base + 103))/" \
    tools/devnet/consortium.json > "$dn/consortium.json"
"$bin/pledger-admin" init --spec "$dn/consortium.json" --out "$dn" >/dev/null
ca=$dn/consortium-ca.crt
[[ -f "$ca" ]] || cp "$dn/ca/ca.crt" "$ca"
chain=$(sed -n 's/.*"chain_id": *"\([^"]*\)".*/\1/p' "$dn/genesis.json" | head -1)
url() { echo "https://127.0.0.1:$((base + $1))"; }
nodes="$(url 1),$(url 2),$(url 3)"

declare -A pid
start_node() {
  "$bin/pledgerd" --config "$dn/nodes/node$1/config.json" >>"$dn/nodes/node$1/pledgerd.log" 2>&1 &
  pid[$1]=$!
}
stop_all() {
  for n in 1 2 3; do
    [[ -n "${pid[$n]:-}" ]] && kill -CONT "${pid[$n]}" 2>/dev/null || true
    [[ -n "${pid[$n]:-}" ]] && kill -TERM "${pid[$n]}" 2>/dev/null || true
  done
  for n in 1 2 3; do [[ -n "${pid[$n]:-}" ]] && wait "${pid[$n]}" 2>/dev/null || true; done
}
bench_pid=""
sampler_pid=""
cleanup() {
  trap - INT TERM EXIT
  [[ -n "$bench_pid" ]] && kill "$bench_pid" 2>/dev/null || true
  [[ -n "$sampler_pid" ]] && kill "$sampler_pid" 2>/dev/null || true
  stop_all
}
trap cleanup EXIT
trap 'exit 130' INT TERM

status_field() { # node field -> value from /v1/status, "" if it does not answer
  curl -s --max-time 2 --cacert "$ca" "$(url "$1")/v1/status" |
    sed -n "s/.*\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\}.*/\1/p" | head -1 || true
}
leader_node() { # the node number of the leader, or "" (asks each live node)
  local n l
  for n in 1 2 3; do
    l=$(status_field "$n" leader)
    [[ "$l" =~ ^node[123]$ ]] && { echo "${l#node}"; return; }
  done
}
wait_leader() {
  local l=""
  for _ in $(seq 1 150); do l=$(leader_node); [[ -n "$l" ]] && break; sleep 0.2; done
  [[ -n "$l" ]] || { echo "soak: no leader after 30 s" >&2; exit 1; }
  echo "$l"
}

for n in 1 2 3; do start_node "$n"; done
echo "soak: leader node$(wait_leader); chain in $dn"

# Memory and disk every 30 s, in a subshell that reads the pids from files
# (restarted nodes get new ones).
echo "elapsed_s,node,rss_kib,data_bytes,height" > "$dn/soak.csv"
pidfile() { echo "$dn/nodes/node$1/pid"; }
save_pids() { for n in 1 2 3; do echo "${pid[$n]}" > "$(pidfile "$n")"; done; }
save_pids
t0=$(date +%s)
(
  while true; do
    for n in 1 2 3; do
      p=$(cat "$(pidfile "$n")" 2>/dev/null || echo 0)
      rss=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
      du=$(du -sb "$dn/nodes/node$n/data" 2>/dev/null | cut -f1 || echo 0)
      h=$(status_field "$n" height)
      echo "$(( $(date +%s) - t0 )),node$n,${rss:-0},${du:-0},${h:-}" >> "$dn/soak.csv"
    done
    sleep 30
  done
) &
sampler_pid=$!

faults=(leader-kill leader-stop follower-kill all-kill)
inject() {
  local kind=$1 l f who
  l=$(leader_node)
  [[ -n "$l" ]] || { echo "soak: round $r: no leader to hit; fault skipped" | tee -a "$dn/faults.log"; return; }
  case "$kind" in
    leader-kill)
      kill -KILL "${pid[$l]}"; wait "${pid[$l]}" 2>/dev/null || true
      sleep 5; start_node "$l"; who=node$l ;;
    leader-stop)
      kill -STOP "${pid[$l]}"; sleep 10; kill -CONT "${pid[$l]}"; who=node$l ;;
    follower-kill)
      f=$(( (l + RANDOM % 2) % 3 + 1 ))
      kill -KILL "${pid[$f]}"; wait "${pid[$f]}" 2>/dev/null || true
      sleep 10; start_node "$f"; who=node$f ;;
    all-kill)
      for n in 1 2 3; do kill -KILL "${pid[$n]}"; done
      for n in 1 2 3; do wait "${pid[$n]}" 2>/dev/null || true; done
      for n in 1 2 3; do start_node "$n"; done; who="all nodes" ;;
  esac
  save_pids
  echo "soak: $(( $(date +%s) - t0 )) s: round $r: $kind ($who)" | tee -a "$dn/faults.log"
}

rounds=$minutes
offset=$(( RANDOM % ${#faults[@]} ))
for r in $(seq 1 "$rounds"); do
  mix=flow; (( r % 2 == 0 )) && mix=patent
  "$bin/pledger-bench" --nodes "$nodes" --ca "$ca" --accounts "$dn/accounts" --chain "$chain" \
    --duration 60 --warmup 0 --clients "$clients" --mix "$mix" --record "$dn/records/round-$r.txt" \
    > "$dn/records/round-$r.out" 2>&1 &
  bench_pid=$!
  sleep 20
  inject "${faults[$(( (r + offset) % ${#faults[@]} ))]}"
  wait "$bench_pid" || true  # a round's refusals are reported in its .out; the check below is what counts
  bench_pid=""
  echo "soak: round $r ($mix): $(grep -m1 '^committed .* transactions in' "$dn/records/round-$r.out" || echo 'no summary')"
done

echo "soak: load done after $(( $(date +%s) - t0 )) s; waiting for the chain to settle"
wait_leader >/dev/null
sleep 10
kill "$sampler_pid" 2>/dev/null || true
sampler_pid=""

ok=1
cat "$dn"/records/round-*.txt > "$dn/records/all.txt"
echo "soak: $(wc -l < "$dn/records/all.txt") acknowledged transactions in all"
if ! "$bin/pledger-bench" --check "$dn/records/all.txt" --nodes "$nodes" --ca "$ca" --accounts "$dn/accounts" \
      --chain "$chain" 2>&1 | tee "$dn/check.out"; then
  ok=0
fi
if ! python3 tools/soak/check_chain.py --ca "$ca" "$(url 1)" "$(url 2)" "$(url 3)" 2>&1 | tee -a "$dn/check.out"; then
  ok=0
fi
echo "soak: figures in $dn/soak.csv, faults in $dn/faults.log, logs in $dn/nodes/node*/pledgerd.log"
[[ $ok -eq 1 ]] && echo "soak: PASSED" || { echo "soak: FAILED"; exit 1; }
