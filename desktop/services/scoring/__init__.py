"""考核评分 (四(五)): year-end scoring sessions of towns, member units and city SOEs."""
