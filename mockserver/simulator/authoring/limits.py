"""Bounds on everything that comes from outside: counts, lengths, depth, numeric ranges.

The docs state only the table limits (500 rows x 50 columns, C2) and 1-500 actions per tree
patch (C); every other number here is the simulator's own choice, listed in the README.
"""

from __future__ import annotations

MAX_CALLS = 500  # tools or actions per request when the revision states no bound (A, B)
MAX_LIST_ITEMS = 500  # items of one list-native tool (add_elements, update_elements, ...)
MAX_NODES = 5_000  # elements in one design
MAX_PAGES = 100  # pages in one design
MAX_DEPTH = 16  # nesting of one tool call or action, counted from the call object
MAX_JSON_NODES = 200_000  # values (of any kind) inside one tool call or action
MAX_NAME = 100  # element names, variable names, page names
MAX_ID = 64  # client-chosen element ids (Era A)
MAX_STRING = 20_000  # any other string (text content, style values, cells)
MAX_SRC = 2_000_000  # image sources and background images (data: URIs can be large)
MAX_STYLE_KEYS = 100
MAX_TABLE_ROWS = 500
MAX_TABLE_COLUMNS = 50
MAX_COORDINATE = 100_000.0  # |x|, |y|, w, h and sizes, in points
MAX_PAGE_SIDE = 14_400.0  # the largest page a PDF allows (200 inches), in points
MAX_FONT_SIZE = 1_000.0
