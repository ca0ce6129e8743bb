"""The receipt as a PDF the candidate keeps: what they sent and when we received it.

Drawn by the same renderer as resume renditions (app/ats/pdf_rendition.py), so a name in any
script is drawn with DejaVu Sans where it is installed, and never stops the receipt where not.
"""

from __future__ import annotations

from flask_babel import format_datetime, gettext

from app.ats.pdf_rendition import Block, render_pdf
from app.models import Application
from app.status.sent import sent_rows


def receipt_pdf(application: Application, company: str) -> bytes:
    received = format_datetime(application.created_at, "long")
    blocks = [
        Block("heading", gettext("Receipt of your application")),
        Block("paragraph", gettext("Position: %(title)s", title=application.job.title)),
        Block("paragraph", gettext("Company: %(company)s", company=company)),
        Block("paragraph", gettext("Received: %(when)s", when=received)),
        Block("paragraph", gettext("Reference: %(reference)s", reference=application.public_id)),
        Block("heading", gettext("What you sent")),
    ]
    blocks += [Block("item", f"{row.label}: {row.value}") for row in sent_rows(application)]
    blocks.append(Block("heading", gettext("Your consent")))
    for consent in application.consents:
        blocks.append(Block("paragraph", consent.text))
        blocks.append(
            Block("paragraph", gettext("Given: %(when)s", when=format_datetime(consent.given_at, "long")))
        )
    return render_pdf(blocks)
