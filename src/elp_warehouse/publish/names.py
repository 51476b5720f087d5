"""Names in the published snapshot: the marts' schema, plain column names and their quoting, and
the column names and values that identify a person (never published)."""

from __future__ import annotations

import re

MART_SCHEMA = "marts"

# Column names that identify a person (or a claim / provider record) are never published.
IDENTIFIER_NAME = re.compile(
    r"(^|_)(id|ids|uuid|niss|inss|ssin|rrn|rijksregisternummer|national_register(_number)?)$"
    r"|^(member|person|patient|provider|claim|dispensing|refund)_(key|number|code)$",
    re.IGNORECASE,
)
# A Belgian national register number (same pattern as macro looks_like_niss).
NISS_VALUE = r"^[0-9]{2}[. -]?[0-9]{2}[. -]?[0-9]{2}[. -]?[0-9]{3}[. -]?[0-9]{2}$"
SIMPLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
