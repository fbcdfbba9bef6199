#include "tests/integration/wallet_runner.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "contracts/dates.h"
#include "ledger/io/clock.h"
#include "ledger/io/files.h"

#ifndef PLEDGER_BIN_DIR
#error "PLEDGER_BIN_DIR must point at build/bin"
#endif

namespace pledger::test {
namespace {

using namespace std::chrono_literals;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::int64_t RealNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Run RunProgramUnchecked(const std::string& program, const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env, const std::string& scratch_dir) {
  Run r;
  r.command = program;
  for (const auto& a : args) r.command += " " + a;
  const std::string out_path = scratch_dir + "/.stdout", err_path = scratch_dir + "/.stderr";
  pid_t pid = ::fork();
  if (pid < 0) return r;
  if (pid == 0) {
    ::setsid();
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    // A wallet profile chosen by the test's environment would override the party's own.
    ::unsetenv("PLEDGER_PROFILE");
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    std::string bin = std::string(PLEDGER_BIN_DIR) + "/" + program;
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out_path);
  r.err = Slurp(err_path);
  return r;
}

void CheckNoPassphrase(const Run& r) {
  // Whatever happens, no output ever carries the passphrase.
  INFO(r.command);
  CHECK(r.out.find(kWalletPassphrase) == std::string::npos);
  CHECK(r.err.find(kWalletPassphrase) == std::string::npos);
}

Run RunProgram(const std::string& program, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env, const std::string& scratch_dir) {
  Run r = RunProgramUnchecked(program, args, env, scratch_dir);
  INFO(r.command);
  REQUIRE(r.code != -1);  // fork failed
  CheckNoPassphrase(r);
  return r;
}

Wallet::Wallet(const std::string& root, std::string name, std::map<std::string, std::string> env)
    : name_(std::move(name)), home_(root + "/wallets/" + name_), env_(std::move(env)) {
  REQUIRE(io::MakeDirs(home_, 0700).ok());
  env_["PLEDGER_HOME"] = home_;
  env_["PW"] = kWalletPassphrase;
}

Run Wallet::operator()(std::vector<std::string> args) const { return RunProgram("pledger-wallet", args, env_, home_); }

Run Wallet::RunUnchecked(std::vector<std::string> args) const {
  return RunProgramUnchecked("pledger-wallet", args, env_, home_);
}

void Wallet::Setup(const TestCluster& c, const std::string& account, int node_index) const {
  Run r = (*this)({"key", "import", name_, "--from", c.dir() + "/accounts/" + account + ".key", "--passphrase-env",
                   "PW"});
  INFO(r.command << "\n" << r.out << r.err);
  REQUIRE(r.code == 0);
  r = (*this)({"profile", "add", name_, "--node", c.ApiUrl(node_index), "--key", name_});
  INFO(r.command << "\n" << r.out << r.err);
  REQUIRE(r.code == 0);
}

void Carry(const Wallet& from, const Wallet& to, const std::string& file) {
  auto data = io::ReadFile(from.Path(file));
  REQUIRE(data.ok());
  REQUIRE(io::WriteFileAtomic(to.Path(file), *data, 0644).ok());
}

void Sync(TestCluster& c) {
  std::uint64_t top = 0;
  for (int i = 0; i < c.size(); ++i) {
    auto s = c.Status(i);
    if (s.ok()) top = std::max(top, s->height());
  }
  for (int i = 0; i < c.size(); ++i) {
    if (!c.WaitForHeight(i, top, 20s)) c.DumpLogs();
    REQUIRE(c.WaitForHeight(i, top, 1s));
  }
}

TestClock::TestClock(std::string path) : path_(std::move(path)) {
  const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, static_cast<off_t>(sizeof(std::int64_t))) == 0);
  void* p = ::mmap(nullptr, sizeof(std::int64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  REQUIRE(p != MAP_FAILED);
  offset_ms_ = static_cast<std::int64_t*>(p);
  __atomic_store_n(offset_ms_, std::int64_t{0}, __ATOMIC_RELAXED);
}

TestClock::~TestClock() {
  if (offset_ms_ != nullptr) ::munmap(offset_ms_, sizeof(std::int64_t));
}

std::map<std::string, std::string> TestClock::Env() const {
  return {{io::kTestClockEnv, path_}};
}

void TestClock::SetNoonOf(std::int32_t day) {
  // 12:00 in UTC+8 is 04:00 UTC.
  const std::int64_t noon_ms = static_cast<std::int64_t>(day) * 86'400'000 + 4 * 3'600'000;
  const std::int64_t offset = noon_ms - RealNowMs();
  REQUIRE(offset >= __atomic_load_n(offset_ms_, __ATOMIC_RELAXED));  // never backwards
  __atomic_store_n(offset_ms_, offset, __ATOMIC_RELAXED);
}

std::int32_t TestClock::Today() const {
  return contracts::DateOfBlockTime(
      static_cast<std::uint64_t>(RealNowMs() + __atomic_load_n(offset_ms_, __ATOMIC_RELAXED)));
}

std::int32_t TestClock::RealToday() { return contracts::DateOfBlockTime(static_cast<std::uint64_t>(RealNowMs())); }

}  // namespace pledger::test
