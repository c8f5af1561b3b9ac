"""excel: pages and dialogs of this feature."""
