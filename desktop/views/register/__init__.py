"""register: pages and dialogs of this feature."""
