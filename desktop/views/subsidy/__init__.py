"""subsidy: pages and dialogs of this feature."""
