"""Local imitations of the vendors' APIs, one Flask app per ATS, with fault injection."""
