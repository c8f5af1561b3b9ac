"""deadlines: pages and dialogs of this feature."""
