"""The infrastructure app (no domain): users, API tokens and the hash-chained audit trail."""
