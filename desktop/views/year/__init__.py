"""year: pages and dialogs of this feature."""
