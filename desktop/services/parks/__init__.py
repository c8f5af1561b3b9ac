"""连片整治片区: contiguous parks."""
