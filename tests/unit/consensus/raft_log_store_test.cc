// placeholder until ledger/raft_log_store lands
