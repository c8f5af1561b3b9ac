"""dashboard: pages and dialogs of this feature."""
