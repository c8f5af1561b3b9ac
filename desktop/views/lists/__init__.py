"""lists: pages and dialogs of this feature."""
