"""Erasure on request: a candidate (from their status link) or HR (from the admin area) asks,
the application is wiped here at once, and the worker erases it in the ATS where the vendor
documents a way, or hands it to HR with the ATS's ids where none does; a receipt tells the
candidate which. The Erasure row keeps the ATS's ids and nothing personal but the receipt's
address until the receipt is queued."""
