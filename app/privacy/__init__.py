"""Candidates' data rights here: deleting an application's personal data (retention, erasure)."""
