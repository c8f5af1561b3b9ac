"""以奖代补: year-end subsidy proposals."""
