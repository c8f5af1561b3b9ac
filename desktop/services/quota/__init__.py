"""周转指标库: quota loans and returns."""
