// The explorer's files (node/explorer/, and Chart.js from the system), built
// into pledgerd by node/explorer/embed.cmake: a generated table, sorted by
// name, of constant data. Served by node/api/explorer.cc under /explorer/.
//
// The data is static and immutable: every function is thread-safe and the
// views stay valid for the life of the program.
#ifndef PLEDGER_NODE_EXPLORER_ASSETS_H_
#define PLEDGER_NODE_EXPLORER_ASSETS_H_

#include <span>
#include <string_view>

namespace pledger::node {

struct ExplorerAsset {
  std::string_view name;          // "index.html", "app.js", "chart.js": flat, no '/'
  std::string_view content_type;  // the Content-Type to serve it with
  std::string_view bytes;
};

// The file called exactly `name`, or nullptr. Names are compared byte for
// byte: no decoding, no path resolution, so "../x" or "a/b" never match.
const ExplorerAsset* FindExplorerAsset(std::string_view name);

// Every file, sorted by name.
std::span<const ExplorerAsset> ExplorerAssets();

}  // namespace pledger::node

#endif  // PLEDGER_NODE_EXPLORER_ASSETS_H_
