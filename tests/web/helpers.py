"""Filling in the apply form as a browser would: GET the page, keep its hidden fields, POST."""

from __future__ import annotations

import io
import re
from html import unescape

from tests.conftest import FIXTURES


def hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def resume_file(name: str = "resume.pdf", filename: str | None = None):
    data = (FIXTURES / "files" / name).read_bytes()
    return (io.BytesIO(data), filename or name)


def valid_answers(**overrides) -> dict:
    values = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": "grace@example.com",
        "phone": "+1 212 555 0142",
        "url": "https://www.linkedin.com/in/grace",
        "location": "New York",
        "cover_letter": "I like compilers.",
        "consent": "y",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def open_form(client, job_id: int, query: str = "") -> dict[str, str]:
    page = client.get(f"/jobs/{job_id}/apply{query}")
    assert page.status_code == 200
    return hidden_fields(page.text)


def post_application(client, job_id: int, hidden: dict, answers: dict, files: dict | None = None):
    data = dict(hidden)
    data.update(answers)
    if files is None:
        files = {"resume": resume_file()}
    data.update(files)
    return client.post(f"/jobs/{job_id}/apply", data=data, content_type="multipart/form-data")


def field_value(html: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    if tag:
        value = re.search(r'value="([^"]*)"', tag.group(0))
        return unescape(value.group(1)) if value else ""
    area = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    return unescape(area.group(1)) if area else ""


def error_for(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="error-{field_id}">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", unescape(match.group(1))).strip() if match else ""
