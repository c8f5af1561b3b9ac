"""towns: pages and dialogs of this feature."""
