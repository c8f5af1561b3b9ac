"""期限 and 节假日: due items and the workday calendar."""
