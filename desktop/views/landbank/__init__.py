"""landbank: pages and dialogs of this feature."""
