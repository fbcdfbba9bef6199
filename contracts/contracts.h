// The contracts module's public surface in one include: the engine (engine.h),
// genesis (genesis.h), who may run a node (entitlement.h), transaction limits (limits.h), queries (queries.h, pool_queries.h), result codes
// (codes.h), state keys (state_keys.h, pool_keys.h), dates (dates.h), money
// (money.h), patent numbers (patent_number.h), who signs (signers.h), record encoding (encode.h), the
// pool waterfall (waterfall.h). docs/contracts.md describes the actions and rules.
#ifndef PLEDGER_CONTRACTS_CONTRACTS_H_
#define PLEDGER_CONTRACTS_CONTRACTS_H_

#include "contracts/codes.h"
#include "contracts/dates.h"
#include "contracts/encode.h"
#include "contracts/engine.h"
#include "contracts/entitlement.h"
#include "contracts/genesis.h"
#include "contracts/limits.h"
#include "contracts/money.h"
#include "contracts/patent_number.h"
#include "contracts/pool_keys.h"
#include "contracts/pool_queries.h"
#include "contracts/queries.h"
#include "contracts/signers.h"
#include "contracts/state_keys.h"
#include "contracts/waterfall.h"

#endif  // PLEDGER_CONTRACTS_CONTRACTS_H_
