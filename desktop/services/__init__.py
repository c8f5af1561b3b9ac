"""Use cases: rules, workflows, Excel, PDF, dates. Never imports Qt."""
