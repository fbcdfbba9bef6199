// The precompiled header of every Catch2 test binary (tests/CMakeLists.txt).
//
// Why: each test file otherwise parses ~200,000 lines of the same headers
// (Catch2, libstdc++, protobuf's runtime and the ledger's generated messages)
// before a line of its own. On CI's two cores the three builds were two
// thirds of the run. Only headers that change rarely belong here: an edit to
// one of them rebuilds every test.
//
// Not a substitute for includes: every test file still names what it uses.
#ifndef PLEDGER_TESTS_SUPPORT_PCH_H_
#define PLEDGER_TESTS_SUPPORT_PCH_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include "consensus/status.h"
#include "ledger/bytes.h"
#include "ledger/crypto.h"
#include "ledger/proto/actions.pb.h"
#include "ledger/proto/ledger.pb.h"
#include "ledger/tx.h"
#include "tests/support/test_util.h"

#endif  // PLEDGER_TESTS_SUPPORT_PCH_H_
