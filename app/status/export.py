"""A candidate's copy of everything we hold about one application: data.json and its files,
in one ZIP (the shape is documented in docs/data-rights.md)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from app.models import Application
from app.status.progress import progress
from app.storage import MissingFile, Storage

FORMAT = "careers-intake/application-data/1"
UNSAFE_NAME = re.compile(r"[^\w.() -]+")

Attach = Callable[[str, str], str | None]


def export_zip(application: Application, storage: Storage) -> bytes:
    """The ZIP: data.json first, then the resume and each file answer under files/."""
    files: dict[str, bytes] = {}
    data = application_data(application, lambda key, name: _take(storage, key, name, files))
    buffer = io.BytesIO()
    stamp = _zip_time(application.created_at)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("data.json", stamp)
        archive.writestr(entry, json.dumps(data, ensure_ascii=False, indent=2), zipfile.ZIP_DEFLATED)
        for path, content in files.items():
            archive.writestr(zipfile.ZipInfo(path, stamp), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def application_data(application: Application, attach: Attach) -> dict[str, Any]:
    """Every field of the application as stored. `attach(key, path)` adds a stored file to the
    archive and answers the path it got there, or None when the file is gone."""
    delivery = application.delivery
    resume = None
    if application.resume_key:
        resume = {
            "filename": application.resume_filename,
            "content_type": application.resume_content_type,
            "size": application.resume_size,
            "sha256": application.resume_sha256,
            "file": attach(application.resume_key, f"files/resume/{safe_name(application.resume_filename)}"),
        }
    return {
        "format": FORMAT,
        "reference": application.public_id,
        "job": {"title": application.job.title, "location": application.job.location},
        "received_at": iso(application.created_at),
        "updates_application": application.update_of,
        "fields": {
            "first_name": application.first_name,
            "last_name": application.last_name,
            "email": application.email,
            "phone": application.phone,
            "url": application.url,
            "location": application.location,
            "cover_letter": application.cover_letter,
        },
        "resume": resume,
        "answers": [
            _answer(n, answer.label, answer.value, attach) for n, answer in enumerate(application.answers, 1)
        ],
        "demographic_answers": [
            {"section": d.section, "question": d.question_ref, "options": list(d.option_refs), "text": d.text}
            for d in application.demographic_answers  # type: ignore[attr-defined]
        ],
        "consents": [
            {
                "purpose": consent.purpose,
                "text": consent.text,
                "version": consent.version,
                "language": consent.language,
                "given_at": iso(consent.given_at),
                "kept_until": iso(consent.keep_until),
            }
            for consent in application.consents
        ],
        "attribution": dict(application.attribution or {}),
        "parsed_resume": application.parsed,
        "delivery": {
            "status": delivery.status if delivery else None,
            "progress": progress(delivery).state,
            "delivered_at": iso(delivery.delivered_at) if delivery else None,
            "ats": delivery.target if delivery else None,
            "ats_records": delivery.checkpoints if delivery else {},
        },
        "stage": {"label": application.stage_label, "changed_at": iso(application.stage_changed_at)},
        "emails_to_you": [
            {"kind": m.kind, "subject": m.subject, "status": m.status, "sent_at": iso(m.sent_at)}
            for m in application.mail  # type: ignore[attr-defined]
            if m.to_address == application.email
        ],
    }


def _answer(number: int, label: str, value: Any, attach: Attach) -> dict[str, Any]:
    if isinstance(value, Mapping) and value.get("file_key"):
        name = str(value.get("filename") or "file")
        value = {
            "filename": name,
            "content_type": value.get("content_type", ""),
            "size": value.get("size", 0),
            "file": attach(str(value["file_key"]), f"files/answers/{number}-{safe_name(name)}"),
        }
    return {"question": label, "value": value}


def _take(storage: Storage, key: str, path: str, files: dict[str, bytes]) -> str | None:
    try:
        files[path] = storage.read(key)
    except MissingFile:
        return None
    return path


def safe_name(filename: str) -> str:
    """A file name that stays one entry in the archive: no folders, no control characters."""
    name = UNSAFE_NAME.sub("_", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip(". ")
    return name[:120] or "file"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    return (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
