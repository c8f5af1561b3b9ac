"""quota: pages and dialogs of this feature."""
