// pledger-wallet: the command-line program. Everything happens in the
// library (tools/wallet/wallet.h, docs/wallet.md); this only hands it the
// process's arguments, terminal, environment and network.
#include <string>
#include <vector>

#include "tools/wallet/wallet.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  pledger::tools::wallet::WalletIo io = pledger::tools::wallet::ProcessIo();
  return pledger::tools::wallet::RunWallet(args, io);
}
