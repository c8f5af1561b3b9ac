"""Excel exchange: the safe reader, table export, town packets and legacy sheets."""
