// Contract state key layout (docs/contracts.md "State key layout").
//
// Keys are printable ASCII: a keyspace name, '/', and ids that never contain
// '/' (organisation and node ids are [a-z0-9._-], patent numbers ZL…, other ids
// hex). Index keys end in an order key of zero-padded decimals so that LevelDB's
// byte order is registration order (R18). Changing a key changes the state root:
// document it and gate it on a rule version.
//
// Pure functions, thread-safe.
#ifndef PLEDGER_CONTRACTS_STATE_KEYS_H_
#define PLEDGER_CONTRACTS_STATE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pledger::contracts::keys {

inline std::string Cat(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(a.size() + b.size());
  k.append(a).append(b);
  return k;
}

// a + b + c with room for an order key (30 bytes) appended later, as the
// index prefixes below are.
inline std::string Cat3(std::string_view a, std::string_view b, std::string_view c) {
  std::string k;
  k.reserve(a.size() + b.size() + c.size() + 30);
  k.append(a).append(b).append(c);
  return k;
}

inline constexpr std::string_view kChain = "chain";    // raw chain id
inline constexpr std::string_view kParams = "params";  // Params
inline std::string Org(std::string_view id) { return Cat("org/", id); }
inline std::string Account(std::string_view key_hex) { return Cat("account/", key_hex); }
inline constexpr std::string_view kValidatorPrefix = "validator/";
inline std::string Validator(std::string_view node_id) { return Cat(kValidatorPrefix, node_id); }
inline std::string Patent(std::string_view patent_no) { return Cat("patent/", patent_no); }
inline std::string Valuation(std::string_view id) { return Cat("valuation/", id); }
inline std::string Pledge(std::string_view id) { return Cat("pledge/", id); }

// "<height:20><index:10>": the position of a transaction in the chain, as text
// that sorts in chain order (R18 ranks pledges by it).
inline void AppendDecimal(std::string* out, std::uint64_t v, int width) {
  const size_t at = out->size();
  out->append(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0 && v != 0; --i, v /= 10) (*out)[at + static_cast<size_t>(i)] = static_cast<char>('0' + v % 10);
}
inline std::string OrderKey(std::uint64_t height, std::uint32_t index) {
  std::string k;
  k.reserve(30);
  AppendDecimal(&k, height, 20);
  AppendDecimal(&k, index, 10);
  return k;
}

// IP-office organisations (the governance electorate): "ix/iporg/<org>" -> "1".
inline constexpr std::string_view kIpOfficePrefix = "ix/iporg/";
inline std::string IpOffice(std::string_view org) { return Cat(kIpOfficePrefix, org); }
// Pledges by pledgee bank and by borrower, in R18 order -> pledge id.
inline std::string BankPledgePrefix(std::string_view org) { return Cat3("ix/bank/", org, "/"); }
inline std::string BorrowerPledgePrefix(std::string_view org) { return Cat3("ix/borrower/", org, "/"); }
// Pledges by pledgor, in R18 order -> pledge id: with the two above, every
// party of a pledge finds it (OrgRemove refuses while one is registered).
inline std::string PledgorPledgePrefix(std::string_view org) { return Cat3("ix/pledgor/", org, "/"); }
inline std::string PatentPledgePrefix(std::string_view no) { return Cat3("ix/patent-pledge/", no, "/"); }
inline std::string PatentValuationPrefix(std::string_view no) { return Cat3("ix/patent-valuation/", no, "/"); }
// BorrowerLenders of one borrower (R33).
inline std::string Lenders(std::string_view debtor) { return Cat("ix/lenders/", debtor); }

}  // namespace pledger::contracts::keys

#endif  // PLEDGER_CONTRACTS_STATE_KEYS_H_
