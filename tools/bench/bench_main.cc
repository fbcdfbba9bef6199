// pledger-bench: drives a running Pledger cluster with concurrent clients
// sending realistic signed transactions, and prints committed tx/s and
// submit-to-commit latency. A program that prints figures, not a test.
//
//   pledger-bench [--nodes URL,URL,...] [--duration SECONDS] [--clients N]
//                 [--mix flow|patent] [--record FILE] [--accounts DIR]
//                 [--ca FILE] [--warmup SECONDS]
//
// Defaults target tools/devnet.sh: nodes http://127.0.0.1:26601..26603 and
// the devnet's account keys in devnet/accounts.
//
// Each client is a thread with its own connection to one node (round-robin)
// and one transaction in flight, submitted with ?wait so the latency is from
// submission to the committed receipt. --mix flow (default) runs, per patent,
// a registration (1 signature, IP office), a valuation (1 signature,
// appraiser) and a pledge registration (3 signatures: bank, owner, IP office);
// --mix patent sends registrations only (single-signature workload).
//
// Output: one line per second, a summary, and a last line of JSON:
//   {"committed_tps": ..., "p50_ms": ..., "p99_ms": ..., "max_ms": ..., "errors": ...}
// --record FILE writes the id of every transaction acknowledged as committed
// (one hex id per line), so a check after a fault can prove none was lost:
// `pledger-bench --check FILE [--nodes ...]` asks every node for every id and
// exits 1 if any node lacks any of them.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <google/protobuf/util/json_util.h>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "node/files.h"
#include "node/http_client.h"
#include "node/pki.h"
#include "node/proto/api.pb.h"
#include "tools/common/args.h"
#include "tools/common/workload.h"

namespace pledger::tools {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Shared {
  std::atomic<bool> stop{false};
  std::atomic<bool> measuring{false};
  std::atomic<std::uint64_t> committed{0};     // measured window only
  std::atomic<std::uint64_t> committed_all{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> rejected{0};      // committed with a refusal code
  std::atomic<std::uint64_t> busy{0};          // 503 answers (backpressure)
  std::atomic<std::uint64_t> expiry{0};
  std::mutex mu;
  std::vector<double> latencies_ms;  // measured window only
  std::ofstream record;
  std::map<std::string, std::uint64_t> error_codes;
};

std::string CodeOf(const std::string& body) {
  auto p = body.find("\"code\":\"");
  if (p == std::string::npos) return "?";
  auto e = body.find('"', p + 8);
  return body.substr(p + 8, e - p - 8);
}

// Submits and waits for the receipt. Returns the receipt code, "" on a
// transport problem, or "BUSY" when the node pushed back.
std::string SubmitAndWait(node::HttpClient& client, const WorkloadTx& tx) {
  auto r = client.Request("POST", "/v1/txs?wait=20000", tx.raw,
                          {{"Content-Type", "application/x-protobuf"}}, 25s);
  if (!r.ok()) return "";
  if (r->status == 503) return "BUSY";
  if (r->status != 200) return "HTTP_" + std::to_string(r->status) + ":" + CodeOf(r->body);
  auto p = r->body.find("\"receipt_code\":\"");
  if (p == std::string::npos) return "NO_RECEIPT";
  auto e = r->body.find('"', p + 16);
  return r->body.substr(p + 16, e - p - 16);
}

void Client(Shared* s, const WorkloadParties& parties, const std::string& url,
            const std::string& ca, std::uint32_t run, std::uint32_t id, bool flow) {
  node::HttpClientOptions o;
  o.ca_file = ca;
  o.timeout = 30s;
  auto client = node::HttpClient::Create(url, o);
  if (!client.ok()) {
    std::fprintf(stderr, "client %u: %s\n", id, client.status().ToString().c_str());
    ++s->errors;
    return;
  }
  Workload w(parties, run, id);
  auto one = [&](const WorkloadTx& tx) -> bool {
    for (int attempt = 0; attempt < 50 && !s->stop; ++attempt) {
      auto start = Clock::now();
      std::string code = SubmitAndWait(**client, tx);
      double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (code == "BUSY") {
        ++s->busy;
        std::this_thread::sleep_for(50ms);
        continue;
      }
      if (code.empty()) {
        ++s->errors;
        std::lock_guard<std::mutex> lock(s->mu);
        ++s->error_codes["NODE_UNREACHABLE"];
        return false;
      }
      ++s->committed_all;
      bool ok = code == "OK";
      if (!ok) {
        ++s->rejected;
        std::lock_guard<std::mutex> lock(s->mu);
        ++s->error_codes[code];
      }
      if (s->measuring) {
        ++s->committed;
        std::lock_guard<std::mutex> lock(s->mu);
        s->latencies_ms.push_back(ms);
      }
      if (s->record.is_open() && code.rfind("HTTP_", 0) != 0) {
        std::lock_guard<std::mutex> lock(s->mu);
        s->record << ledger::HexEncode(tx.id) << "\n";
      }
      return ok;
    }
    return false;
  };
  while (!s->stop) {
    std::uint64_t expiry = s->expiry.load();
    WorkloadTx patent = w.PatentRegister(expiry);
    if (!one(patent) || !flow) continue;
    WorkloadTx valuation = w.Valuation(patent.patent_no, expiry);
    if (!one(valuation)) continue;
    WorkloadTx pledge = w.Pledge(patent.patent_no, valuation.object_id, expiry);
    one(pledge);
  }
}

Result<std::uint64_t> Height(node::HttpClient& c) {
  PLEDGER_ASSIGN_OR_RETURN(node::HttpResponse r, c.Get("/v1/status"));
  api::StatusView v;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = true;
  if (r.status != 200 || !google::protobuf::util::JsonStringToMessage(r.body, &v, opts).ok()) {
    return Status::Unavailable("NODE_UNREACHABLE", "bad /v1/status answer");
  }
  return v.height();
}

std::shared_ptr<const ledger::SecretKey> LoadKey(const std::string& dir, const std::string& name) {
  auto pem = node::ReadFile(dir + "/" + name + ".key");
  if (!pem.ok()) {
    std::fprintf(stderr, "pledger-bench: %s\n", pem.status().ToString().c_str());
    std::exit(2);
  }
  auto key = node::Ed25519KeyFromPem(*pem);
  if (!key.ok()) {
    std::fprintf(stderr, "pledger-bench: %s: %s\n", name.c_str(), key.status().ToString().c_str());
    std::exit(2);
  }
  return std::make_shared<const ledger::SecretKey>(std::move(*key));
}

// --check FILE: every recorded id must be committed on every node.
int Check(const std::string& file, const std::vector<std::string>& nodes, const std::string& ca) {
  std::ifstream in(file);
  if (!in) {
    std::fprintf(stderr, "pledger-bench: cannot read %s\n", file.c_str());
    return 2;
  }
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    if (line.size() == 64) ids.push_back(line);
  }
  int missing_total = 0;
  for (const auto& url : nodes) {
    node::HttpClientOptions o;
    o.ca_file = ca;
    o.timeout = 10s;
    auto c = node::HttpClient::Create(url, o);
    if (!c.ok()) {
      std::fprintf(stderr, "pledger-bench: %s\n", c.status().ToString().c_str());
      return 3;
    }
    int missing = 0;
    for (const auto& id : ids) {
      auto r = (*c)->Get("/v1/txs/" + id);
      if (!r.ok()) {
        std::fprintf(stderr, "pledger-bench: %s: %s\n", url.c_str(), r.status().ToString().c_str());
        return 3;
      }
      if (r->status != 200) {
        if (missing < 10) std::printf("  %s: %s is not committed (HTTP %d)\n", url.c_str(), id.c_str(), r->status);
        ++missing;
      }
    }
    std::printf("%s: %zu of %zu recorded transactions committed\n", url.c_str(), ids.size() - missing, ids.size());
    missing_total += missing;
  }
  return missing_total == 0 ? 0 : 1;
}

int Main(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, 1,
                          {{"check"}, {"nodes"}, {"duration"}, {"clients"}, {"mix"}, {"record"}, {"accounts"},
                           {"ca"}, {"warmup"}, {"chain"}, {"ip-office"}, {"bank"}, {"owner"},
                           {"appraiser"}, {"bank-org"}, {"owner-org"}, {"help", false}});
  if (!args.ok()) {
    std::fprintf(stderr, "pledger-bench: %s\n", args.status().ToString().c_str());
    return 2;
  }
  if (args->Has("help")) {
    std::puts("usage: pledger-bench [--nodes URL,...] [--duration S] [--clients N] [--mix flow|patent]\n"
              "                     [--record FILE] [--accounts DIR] [--ca FILE] [--warmup S]\n"
              "       pledger-bench --check FILE [--nodes URL,...]   every recorded id committed everywhere?");
    return 0;
  }
  std::string nodes_arg = args->Get("nodes").value_or(
      "http://127.0.0.1:26601,http://127.0.0.1:26602,http://127.0.0.1:26603");
  std::vector<std::string> nodes;
  std::stringstream ss(nodes_arg);
  for (std::string u; std::getline(ss, u, ',');) {
    if (!u.empty()) nodes.push_back(u);
  }
  if (auto check = args->Get("check")) return Check(*check, nodes, args->Get("ca").value_or(""));
  auto duration = args->GetInt("duration", 30, 1, 86400);
  auto clients = args->GetInt("clients", 64, 1, 4096);
  auto warmup = args->GetInt("warmup", 3, 0, 600);
  for (const Status* st : {&duration.status(), &clients.status(), &warmup.status()}) {
    if (!st->ok()) {
      std::fprintf(stderr, "pledger-bench: %s\n", st->ToString().c_str());
      return 2;
    }
  }
  std::string mix = args->Get("mix").value_or("flow");
  if (mix != "flow" && mix != "patent") {
    std::fprintf(stderr, "pledger-bench: --mix must be flow or patent\n");
    return 2;
  }
  std::string accounts = args->Get("accounts").value_or("devnet/accounts");
  std::string ca = args->Get("ca").value_or("");

  WorkloadParties parties;
  parties.chain_id = args->Get("chain").value_or("pledger-devnet");
  parties.ip_office = LoadKey(accounts, args->Get("ip-office").value_or("zjipo-clerk"));
  parties.bank = LoadKey(accounts, args->Get("bank").value_or("qtbank"));
  parties.owner = LoadKey(accounts, args->Get("owner").value_or("lianke-owner"));
  parties.appraiser = LoadKey(accounts, args->Get("appraiser").value_or("appraiser"));
  parties.bank_org = args->Get("bank-org").value_or("qtbank");
  parties.owner_org = args->Get("owner-org").value_or("lianke");

  node::HttpClientOptions co;
  co.ca_file = ca;
  co.timeout = 5s;
  auto probe = node::HttpClient::Create(nodes[0], co);
  if (!probe.ok()) {
    std::fprintf(stderr, "pledger-bench: %s\n", probe.status().ToString().c_str());
    return 2;
  }
  auto h = Height(**probe);
  if (!h.ok()) {
    std::fprintf(stderr, "pledger-bench: %s (is the cluster running? tools/devnet.sh)\n",
                 h.status().ToString().c_str());
    return 3;
  }
  Shared s;
  // Expiry: well inside the chain's replay window (default 3600 blocks).
  s.expiry = *h + 3000;
  if (auto rec = args->Get("record")) {
    s.record.open(*rec, std::ios::out | std::ios::trunc);
    if (!s.record) {
      std::fprintf(stderr, "pledger-bench: cannot write %s\n", rec->c_str());
      return 2;
    }
  }
  std::uint32_t run = static_cast<std::uint32_t>(std::random_device{}());
  std::printf("pledger-bench: %zu node(s), %lld clients, mix %s, warm-up %lld s, duration %lld s\n",
              nodes.size(), static_cast<long long>(*clients), mix.c_str(),
              static_cast<long long>(*warmup), static_cast<long long>(*duration));
  std::vector<std::thread> threads;
  for (std::int64_t i = 0; i < *clients; ++i) {
    threads.emplace_back(Client, &s, parties, nodes[static_cast<size_t>(i) % nodes.size()], ca, run,
                         static_cast<std::uint32_t>(i), mix == "flow");
  }
  std::this_thread::sleep_for(std::chrono::seconds(*warmup));
  s.measuring = true;
  auto start = Clock::now();
  std::uint64_t last = 0;
  for (std::int64_t sec = 1; sec <= *duration; ++sec) {
    std::this_thread::sleep_until(start + std::chrono::seconds(sec));
    std::uint64_t now = s.committed.load();
    std::printf("  t=%3llds  committed %6llu tx/s  (total %llu, errors %llu, busy %llu)\n",
                static_cast<long long>(sec), static_cast<unsigned long long>(now - last),
                static_cast<unsigned long long>(now), static_cast<unsigned long long>(s.errors + s.rejected),
                static_cast<unsigned long long>(s.busy.load()));
    std::fflush(stdout);
    last = now;
    if (sec % 10 == 0) {
      auto hh = Height(**probe);
      if (hh.ok()) s.expiry = *hh + 3000;
    }
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  s.measuring = false;
  std::uint64_t committed = s.committed.load();
  s.stop = true;
  for (auto& t : threads) t.join();

  std::vector<double> lat;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    lat = s.latencies_ms;
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    if (lat.empty()) return 0.0;
    size_t k = static_cast<size_t>(p * static_cast<double>(lat.size() - 1));
    return lat[k];
  };
  double tps = static_cast<double>(committed) / elapsed;
  std::uint64_t errors = s.errors.load() + s.rejected.load();
  std::printf("committed %llu transactions in %.1f s: %.0f tx/s\n",
              static_cast<unsigned long long>(committed), elapsed, tps);
  std::printf("latency submit->commit: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", pct(0.50), pct(0.99),
              lat.empty() ? 0.0 : lat.back());
  std::printf("errors %llu (refused receipts %llu), 503 backpressure answers %llu\n",
              static_cast<unsigned long long>(errors), static_cast<unsigned long long>(s.rejected.load()),
              static_cast<unsigned long long>(s.busy.load()));
  for (const auto& [code, n] : s.error_codes) {
    std::printf("  %s: %llu\n", code.c_str(), static_cast<unsigned long long>(n));
  }
  std::printf("{\"committed_tps\": %.0f, \"p50_ms\": %.1f, \"p99_ms\": %.1f, \"max_ms\": %.1f, "
              "\"errors\": %llu, \"clients\": %lld, \"mix\": \"%s\", \"duration_s\": %.1f}\n",
              tps, pct(0.50), pct(0.99), lat.empty() ? 0.0 : lat.back(),
              static_cast<unsigned long long>(errors), static_cast<long long>(*clients), mix.c_str(),
              elapsed);
  return 0;
}

}  // namespace
}  // namespace pledger::tools

int main(int argc, char** argv) { return pledger::tools::Main(argc, argv); }
