"""An open-source resume parser from PyPI on the same labelled corpus files, for comparison.

    /work/peer-venv/bin/python tests/bench/resume_peer.py --split holdout > peer.json

The peer is leverparser (its package is `pyresume`: regular expressions and heuristics, no
model to download, reads PDF through pdfplumber and DOCX through python-docx). It lives in a
virtual environment of its own, never in the project's (see docs/resume_parsing.md):

    python3 -m venv /work/peer-venv && /work/peer-venv/bin/pip install leverparser

This script runs inside that environment, imports nothing of the project, and prints one JSON
object: for each labelled file of the split, the peer's answer in our fields' shape
({"email": {"value": ...}, ...}) and its wall time, or the error it raised.
tests/bench/resume_realworld.py runs it and scores the answers with the same rules as ours.
The peer's phone is written in E.164 when it carries its country (phonenumbers, which the
peer itself depends on), and left as it is otherwise: a number without its country is wrong
for the peer as for us.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import pathlib
import sys
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
FILES = CORPUS / "files"


def answer(parser, path: pathlib.Path) -> dict:
    resume = parser.parse(str(path))
    contact = resume.contact_info
    words = (contact.name or "").split()
    fields: dict = {
        "first_name": words[0] if words else None,
        "last_name": " ".join(words[1:]) or None,
        "email": contact.email,
        "phone": e164(contact.phone),
        "location": contact.address,
        "linkedin": contact.linkedin,
        "github": contact.github,
    }
    if resume.experience:
        fields["current_title"] = resume.experience[0].title
        fields["current_company"] = resume.experience[0].company
    shaped = {key: {"value": value} if value else None for key, value in fields.items()}
    shaped["urls"] = [{"value": contact.website}] if contact.website else []
    return shaped


def e164(phone: str | None) -> str | None:
    if not phone:
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=["tune", "holdout"], default="holdout")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    from pyresume import ResumeParser

    peer = ResumeParser()
    with (CORPUS / "manifest.csv").open(newline="") as handle:
        formats = {row["blob"][:16]: row["format"] for row in csv.DictReader(handle)}
    labels = json.loads((CORPUS / "labels.json").read_text())
    results = {}
    for blob, label in labels.items():
        path = FILES / f"{blob}.{formats.get(blob, '')}"
        if label["split"] != args.split or not path.exists():
            continue
        started = time.perf_counter()
        try:
            results[blob] = {"fields": answer(peer, path), "error": None}
        except Exception as exc:  # noqa: BLE001 - a peer's failure on a file is a miss, not a crash
            results[blob] = {"fields": {}, "error": type(exc).__name__}
        results[blob]["ms"] = (time.perf_counter() - started) * 1000
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
