"""年度清单 and 治理方案: town lists, entry life and plan filing."""
