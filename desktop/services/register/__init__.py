"""治理对象 register: enterprises and parcels."""
