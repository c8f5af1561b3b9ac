"""通报 (四(五)): bulletins drafted from the ledger with the towns' rankings, issued with their number and kept."""
