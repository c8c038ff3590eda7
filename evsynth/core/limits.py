"""Every budget an input file must fit in, in one place.

Study files and BibTeX arrive in strangers' pull requests, so each stage refuses, with a clear
problem, anything far beyond what a real study needs instead of spending minutes or gigabytes
on it. The limits are generous: measured maxima of the real evidence (evidence/, references/,
November 2026) are given beside each, and every limit is several times that (most a hundred).
"""

from __future__ import annotations

# ---- files (reader) -------------------------------------------------------------------------
MAX_BYTES = 1_000_000  # per file; real max 13 KB (chiras-2004.yaml)
MAX_DEPTH = 32  # nesting levels; real max 8
MAX_SCALAR = 20_000  # characters of any single value, before the schema's per-field limits
MAX_ITEMS = 1_000  # items of any one list (the schema's per-field limits are lower); real max 25 (rows)
MAX_KEYS = 1_000  # keys of any one mapping; real max 15
MAX_NODES = 50_000  # values, lists and mappings in one file; real max 718
MAX_NUMBER_TEXT = 32  # characters of a plain value read as a number; real max 4 ("85.6")
MAX_INTEGER = 2**53  # no field holds an integer this large (and JSON keeps integers exact below it)

# ---- fields (schema) ------------------------------------------------------------------------
LABEL_CHARS = 100  # a study label, response or duration label; real max 60
SHORT_TEXT = 300  # names, places, events, `where`, `printed`, list items; real max 129 (centres)
LONG_TEXT = 5_000  # free text: notes, descriptions, definitions, `ambiguous`; real max 323
LIST_ITEMS = 200  # items of a list field (not_reported, drugs, complications...); real max 12
ROWS = 300  # patient-level rows; real max 25 (1,000 rows of long text made a 49 s PDF)
COUNT_MAX = 1_000_000  # a count of patients, lesions, procedures...; real max 72
NUMBER_MAX = 1_000_000  # absolute value of any other number (doses, sizes, scores); real max 600
AGE_MAX = 120  # years
DURATION_MONTHS_MAX = 1_200  # any duration, after its unit; real max 310 days

# ---- dates ----------------------------------------------------------------------------------
EARLIEST_YEAR = 1900  # extraction dates, treatment periods and BibTeX years; real min 1975

# ---- BibTeX ---------------------------------------------------------------------------------
BIB_ENTRIES = 5_000  # entries per BibTeX file; real 36
BIB_ENTRY_CHARS = 20_000  # non-blank characters of one entry, refused before parsing; real max 560
BIB_KEY_CHARS = 64  # a citation key; real max 14
BIB_FIELD = 5_000  # characters of one BibTeX field; real max 189 (an x-incomplete note)

# ---- time -----------------------------------------------------------------------------------
CHECK_SECONDS = 30.0  # the whole check, plus CHECK_SECONDS_PER_FILE for each file; real 0.3 s in all
CHECK_SECONDS_PER_FILE = 0.5  # the synthetic benchmark takes 6 ms per study

# ---- the search log (evidence/search/*.csv, repeated-hits.txt) -------------------------------
LOG_ROWS = 20_000  # rows of searches.csv or records.csv; real max 166 (records.csv)
LOG_CELL = 2_000  # characters of one cell; real max 213 (an address)
