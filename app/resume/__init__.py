"""Resume parsing: detect the format, extract text, find fields, safely.

The web app calls ``parse_resume`` (runner), which never raises and runs the
parsing in worker processes with time, memory and page limits.
"""

from .fields import find_fields
from .formats import ACCEPTED_FORMATS, CONTENT_TYPES, detect_format
from .runner import ParseOutcome, parse_resume, sha256, shutdown

__all__ = [
    "ACCEPTED_FORMATS",
    "CONTENT_TYPES",
    "ParseOutcome",
    "detect_format",
    "find_fields",
    "parse_resume",
    "sha256",
    "shutdown",
]
