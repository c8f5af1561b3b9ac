"""system: the 系统 menu (backups, restore, automatic backup settings)."""
