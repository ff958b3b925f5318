"""Keep it Local: the network registry, principles assessment, spend analysis, connections, value cases and open data."""

import csv

# Python's csv module fails a whole file on one cell over 131,072 characters. Every reader here checks the lengths it
# accepts itself (a spend row with an oversized cell is rejected with that reason; a directory feed's too-long value
# is a problem named in the refusal), so the module may read cells up to 16 MB, the same in every process.
csv.field_size_limit(16 * 1024 * 1024)
