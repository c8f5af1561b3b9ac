"""年度与年度参数: the work year and its numbers."""
