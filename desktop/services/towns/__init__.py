"""镇街与任务分解: towns, their yearly targets and the progress table."""
