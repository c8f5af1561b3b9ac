"""units: the 成员单位 page and its dialog."""
