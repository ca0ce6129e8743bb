"""Why a resume could not be read, in words a candidate understands.

Every failure has a stable code (for the API and logs) and a message shown
on the apply form. A failed parse never blocks the application: the file is
still accepted, the candidate just fills the form in.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for the catalogs; the web layer translates it where it answers."""
    return message


STILL_ACCEPTED = N_(" You can still apply: please fill in the form yourself.")

MESSAGES = {
    "encrypted": N_("This document is password protected, so we could not read it."),
    "encrypted_pdf": N_("This PDF is password protected, so we could not read it."),
    "scanned": N_("This looks like a scanned image, so we could not read its text."),
    "empty": N_("We could not find any text in this file."),
    "unreadable": N_("We could not read this file. It may be damaged."),
    "too_large": N_("This file is too large or too complex for us to read."),
    "too_many_pages": N_("This resume has too many pages for us to read."),
    "timeout": N_("Reading this file took too long."),
    "busy": N_("We are reading many resumes right now, so we could not read yours."),
    "unsupported": N_("We can read PDF, Word (DOC, DOCX), ODT, RTF, HTML and text files."),
}


class ResumeError(Exception):
    """A document we cannot read, with the code the API reports."""

    code = "unreadable"

    def __init__(self, detail: str = "", *, message_key: str | None = None) -> None:
        super().__init__(detail or self.code)
        self.message_key = message_key or self.code

    @property
    def message(self) -> str:
        return message_for(self.message_key)


class EncryptedResume(ResumeError):
    code = "encrypted"


class ScannedResume(ResumeError):
    code = "scanned"


class EmptyResume(ResumeError):
    code = "empty"


class UnreadableResume(ResumeError):
    code = "unreadable"


class ResumeTooLarge(ResumeError):
    code = "too_large"


class TooManyPages(ResumeError):
    code = "too_many_pages"


class UnsupportedResume(ResumeError):
    code = "unsupported"


def message_for(key: str) -> str:
    """The candidate-facing sentence for an error code."""
    return MESSAGES.get(key, MESSAGES["unreadable"]) + STILL_ACCEPTED
