"""Outgoing mail: the settings, rendering messages from templates/mail, and the transports
(SMTP, or .eml files when no server is configured). The outbox that queues and sends them
durably is app/intake/outbox.py; this package knows nothing of the database."""
