"""总览: the dashboard figures."""
