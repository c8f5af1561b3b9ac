"""audit: pages and dialogs of this feature."""
