"""How much the safe workbook reader accepts: the numbers behind its refusals and its openpyxl fallback.

Read as `limits.NAME` everywhere, so that one assignment here (a test, a future setting) changes every check.
"""

MAX_TOTAL_UNCOMPRESSED = 1 << 30  # 1 GiB declared, all members together
MAX_RATIO = 100  # compression ratio refused for a member larger than RATIO_MIN_SIZE
RATIO_MIN_SIZE = 50 << 20
MAX_SHARED_STRINGS = 256 << 20  # bytes of sharedStrings.xml (calamine holds it all in memory)
SHARED_STRING_COUNT_SLACK = 1_000_000  # uniqueCount may exceed the real count by this much (calamine pre-allocates it)
DENSE_CELL_LIMIT = 5_000_000  # calamine allocates max_row × max_col cells
STRING_BYTES_LIMIT = 256 << 20  # bytes calamine would copy out of shared strings for one sheet
FALLBACK_CELL_LIMIT = 50_000_000  # cells the openpyxl fallback may materialise for one sheet
MAX_CELL_XML = 16 << 20  # one cell's XML (Excel's own limit is 32 767 characters)
CHUNK = 4 << 20  # inflated bytes per scanning step
