"""收储与收购: groundwork steps, agreements and acquisitions."""
