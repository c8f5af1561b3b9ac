"""parks: pages and dialogs of this feature."""
