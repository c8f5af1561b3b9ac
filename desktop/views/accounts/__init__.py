"""Accounts in the window: first start, login, own password, idle lock, account management."""
