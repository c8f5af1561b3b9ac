"""综合体检 (四(四), 附件2): from a town's proposal to the towns' scores of the member units."""
