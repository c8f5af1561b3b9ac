"""reports: pages and dialogs of this feature."""
