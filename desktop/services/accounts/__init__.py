"""账户与权限: accounts, passwords, login and lockout, and what each role may do (等保 2.0)."""
