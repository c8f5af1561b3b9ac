"""The page kit: worker lane, op bridge, context, table and form helpers shared by every page."""
