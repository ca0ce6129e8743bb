"""Applicant tracking systems: the port (base.py), one adapter module per vendor, the registry."""
