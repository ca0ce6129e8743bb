"""The place table (app/ats/places.py) says what every adapter really sends, and nothing else.

For every kind, canary applications (a recognisable value in every field) go through the real
adapter to its sandbox in-process; a recording transport keeps every request. Each field's
place is then checked against those requests: a sent field's values are at the declared
request and key, and a field declared "not sent" appears in no request at all. A failure names
the field, the declared place and where the value was found instead, so a changed adapter
leads straight to the entry to update.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from app.ats import dover, greenhouse, local, nexivohr, places, skailer, workable
from app.ats.base import Answer, AtsAdapter, Resume, Submission
from app.ats.sandbox import dover as dover_sandbox
from app.ats.sandbox import greenhouse as greenhouse_sandbox
from app.ats.sandbox import nexivohr as nexivohr_sandbox
from app.ats.sandbox import skailer as skailer_sandbox
from app.ats.sandbox import workable as workable_sandbox
from app.intake.rendition import fit_resume
from app.intake.runner import run_steps
from tests.ats.harnesses import PDF_BYTES, make_submission
from tests.ats.harnesses import dover as dover_harness
from tests.ats.harnesses import greenhouse as greenhouse_harness
from tests.ats.harnesses import greenhouse_jobboard as jobboard_harness
from tests.ats.harnesses import nexivohr as nexivohr_harness
from tests.ats.harnesses import workable as workable_harness
from tests.clock import FakeClock

DOCX_BYTES = (Path(__file__).parents[1] / "fixtures" / "files" / "resume.docx").read_bytes()


# what the adapters sent ----------------------------------------------------------------------
@dataclass
class Sent:
    """One request as the ATS received it, bodies parsed."""

    method: str
    path: str  # relative to the target's base URL
    query: list[tuple[str, str]] = field(default_factory=list)
    json: Any = None
    form: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)
    raw: bytes = b""

    def values(self, key: str) -> list[Any]:
        source, _, name = key.partition(":")
        if source == "json":
            return resolve(self.json, name)
        if source == "form":
            return [value for field_name, value in self.form if field_name == name]
        if source == "file":
            return [data for field_name, data in self.files if field_name == name]
        raise ValueError(f"unknown key source in {key!r}")

    def leaves(self) -> Iterator[tuple[str, Any]]:
        """Every value with the key that finds it, for saying where a value really went."""
        yield from ((f"query:{k}", v) for k, v in self.query)
        yield from json_leaves(self.json, "json:")
        yield from ((f"form:{k}", v) for k, v in self.form)
        yield from ((f"file:{k}", v) for k, v in self.files)


class Recorder(httpx.BaseTransport):
    """Passes every request on to the sandbox and keeps a parsed copy."""

    def __init__(self, inner: httpx.BaseTransport, base_path: str) -> None:
        self.inner, self.base_path, self.sent = inner, base_path, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raw = request.read()
        path = request.url.path
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path) :]
        sent = Sent(request.method, path, list(request.url.params.multi_items()), raw=raw)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            sent.json = json.loads(raw)
        elif content_type.startswith("multipart/form-data"):
            sent.form, sent.files = multipart(content_type, raw)
        elif raw:
            sent.form = parse_qsl(raw.decode())
        self.sent.append(sent)
        return self.inner.handle_request(request)


def multipart(content_type: str, raw: bytes) -> tuple[list[tuple[str, str]], list[tuple[str, bytes]]]:
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    form, files = [], []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if part.get_filename() is None:
            form.append((name, data.decode()))
        else:
            files.append((name, data))
    return form, files


def resolve(value: Any, path: str) -> list[Any]:
    """The values at a dotted path: `name[]` any element of a list, `name[k=v]` the elements
    whose k is v."""
    items = [value]
    for segment in path.split("."):
        name, _, selector = segment.partition("[")
        found: list[Any] = []
        for item in items:
            if not isinstance(item, Mapping) or name not in item:
                continue
            inner = item[name]
            if not selector:
                found.append(inner)
            elif isinstance(inner, (list, tuple)):
                wanted_key, _, wanted = selector.rstrip("]").partition("=")
                found += [
                    e
                    for e in inner
                    if not wanted_key or (isinstance(e, Mapping) and str(e.get(wanted_key)) == wanted)
                ]
        items = found
    return items


def json_leaves(value: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from json_leaves(inner, f"{prefix}{'' if prefix.endswith(':') else '.'}{key}")
    elif isinstance(value, (list, tuple)):
        for inner in value:
            yield from json_leaves(inner, f"{prefix}[]")
    elif value is not None:
        yield prefix, value


# the checks ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Canary:
    name: str
    submission: Submission
    settings: Mapping[str, Any] = field(default_factory=dict)


def needles(key: str, submission: Submission) -> list[str | bytes]:
    """Our values of a field, each one to be found where the table says."""
    parsed = submission.parsed
    if key == "resume":
        return [submission.resume.data] if submission.resume else []
    if key == "consent":
        return [submission.consent_text] if submission.consent_text else []
    if key == "future_consent":
        return [submission.future_consent_text] if submission.future_consent_text else []
    if key == "attribution":
        return [v for v in submission.attribution.values() if v]
    if key == "parsed.experience":
        return [e[k] for e in parsed.get("experience") or [] for k in ("title", "company") if e.get(k)]
    if key == "parsed.education":
        return [e[k] for e in parsed.get("education") or [] for k in ("school", "degree") if e.get(k)]
    if key == "parsed.skills":
        return list(parsed.get("skills") or [])
    if key.startswith("parsed."):
        value = parsed.get(key.removeprefix("parsed."))
        return [value] if value else []
    value = getattr(submission, key)
    return [value] if value else []


def answer_needles(answer: Answer) -> list[str | bytes]:
    if isinstance(answer.value, Mapping):
        return [answer.value["filename"]]  # a file answer is named; the file stays with us
    return [str(answer.value)]


def holds(value: Any, needle: str | bytes, match: str) -> bool:
    if match == "equal":
        return str(value) == needle
    if match in ("within", "link"):
        shown = value if isinstance(value, str) else json.dumps(value, default=repr)
        return isinstance(needle, str) and needle in shown
    if match == "piece":
        return (
            isinstance(value, str)
            and bool(value.strip())
            and isinstance(needle, str)
            and value.strip() in needle
        )
    if match == "base64":
        return isinstance(value, str) and base64.b64decode(value) == needle
    if match == "file":
        return value == needle
    if match == "rendition":
        return isinstance(value, bytes) and value.startswith(b"%PDF-")
    if match == "flag":
        return str(value).lower() == "true"
    raise ValueError(f"unknown match {match!r}")


def at(sent: list[Sent], locator: str) -> list[Any]:
    method, pattern, key = locator.split(" ", 2)
    regex = re.compile(re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(pattern)) + "$")
    return [v for s in sent if s.method == method and regex.match(s.path) for v in s.values(key)]


def found_in(sent: list[Sent], needle: str | bytes) -> str:
    where = []
    for s in sent:
        for key, value in s.leaves():
            text = value if isinstance(value, (str, bytes)) else str(value)
            if isinstance(text, bytes) != isinstance(needle, bytes):
                text = text.encode() if isinstance(text, str) else b""
                probe = needle.encode() if isinstance(needle, str) else base64.b64encode(needle)
            else:
                probe = needle
            if probe and probe in text and f"{s.method} {s.path} {key}" not in where:
                where.append(f"{s.method} {s.path} {key}")
    return ", ".join(where) or "nowhere"


def check_place(
    kind: str, key: str, place: places.Place, values: list, sent: list[Sent], link: str
) -> list[str]:
    """What is wrong with one declared place, as lines for the failure message."""
    if not values:
        return []
    if not place.sent:
        return [
            f"{kind}: {key} declared not sent but found in: {found_in(sent, v)}"
            for v in values
            if isinstance(v, str) and found_in(sent, v) != "nowhere"
        ]
    wanted = [link] if place.match == "link" else values
    declared = " and ".join(place.at)
    problems = [
        f"{kind}: {key} declared at {declared} but not found; found in: {found_in(sent, v)}"
        for v in wanted
        if not any(holds(got, v, place.match) for loc in place.at for got in at(sent, loc))
    ]
    if problems:
        return problems
    return [
        f"{kind}: {key} declared at {loc} but that request carried none of it; "
        f"found in: {found_in(sent, wanted[0])}"
        for loc in place.at
        if not any(holds(got, v, place.match) for got in at(sent, loc) for v in wanted)
    ]


def chosen(
    alternatives: places.Places, submission: Submission, checkpoints: Mapping[str, Any]
) -> places.Place:
    for place in alternatives:
        decided = place.when.holds(submission, checkpoints)
        assert decided is not None, f"{place.text}: still undecided after the delivery ran"
        if decided:
            return place
    raise AssertionError(f"no place applies among {[p.text for p in alternatives]}")


def audit(
    table: places.Table, canary: Canary, sent: list[Sent], checkpoints, link: str
) -> tuple[list[str], set]:
    """(problems, the places this canary exercised)."""
    submission, problems, used = canary.submission, [], set()
    for key in places.FIELDS:
        place = chosen(table.fields[key], submission, checkpoints)
        used.add((key, place.text, place.at))
        problems += check_place(table.kind, key, place, needles(key, submission), sent, link)
    for answer in submission.answers:
        place = chosen(table.answer(answer), submission, checkpoints)
        used.add((f"answer {answer.question_ref}", place.text, place.at))
        problems += check_place(
            table.kind, f"answer {answer.question_ref}", place, answer_needles(answer), sent, link
        )
    return problems, used


# the canaries --------------------------------------------------------------------------------
PARSED = {
    "headline": "Canaryheadline Maker",
    "summary": "Canarysummary of a long career",
    "skills": ["Canaryskill"],
    "experience": [
        {"title": "Canarytitle Lead", "company": "Canaryworks Ltd", "start": "2020-01", "end": "2023-06"}
    ],
    "education": [
        {"school": "Canaryschool of Arts", "degree": "Canarydegree", "start": "2012", "end": "2016"}
    ],
}
SYNCED_REF = {
    "workable": "q1",
    "greenhouse_job_board": "question_q1",
}  # a free-text question each sandbox's job has
PORTFOLIO = {
    "file_key": "uploads/canary",
    "filename": "canaryportfolio.pdf",
    "content_type": "application/pdf",
    "size": 9,
}


def full(kind: str, job_ref: str) -> Submission:
    return make_submission(
        job_ref,
        email="canary.email@example.com",
        first_name="Canaryfirst",
        last_name="Canarylast",
        phone="+44 20 7946 0777",
        url="https://www.linkedin.com/in/canaryurl",
        location="Canarytown, Canaryland",
        cover_letter="Canaryletter: engines are my thing.",
        resume=Resume("canary.pdf", "application/pdf", PDF_BYTES),
        answers=(
            Answer(SYNCED_REF.get(kind, "q1"), "Years of experience", "Canaryanswer synced"),
            Answer("local-7", "Favourite tool", "Canaryanswer local"),
            Answer("local-8", "Portfolio", PORTFOLIO),
        ),
        parsed=PARSED,
        consent_text="Canaryconsent: I agree.",
        future_consent_text="Canaryfuture: keep it for other openings.",
        future_consent_version="2",
        future_consent_at="2026-11-22T10:00:00+00:00",
        attribution={"utm_source": "canarysource", "utm_campaign": "canarycampaign", "gh_src": "canaryghsrc"},
    )


def bare(kind: str, job_ref: str) -> Submission:
    """Little to say: a comment-by-need ATS sends none; a non-profile link; not a PDF; no
    consent beyond processing this application."""
    synced = (
        (Answer(SYNCED_REF[kind], "Years of experience", "Canaryanswer synced"),)
        if kind in SYNCED_REF
        else ()
    )
    return dataclasses.replace(
        full(kind, job_ref),
        url="https://canaryhome.example/page",
        cover_letter="",
        resume=Resume(
            "canary.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            DOCX_BYTES,
        ),
        answers=synced,
        parsed={},
        attribution={},
        future_consent_text="",
    )


def canaries(kind: str, job_ref: str) -> list[Canary]:
    found = [Canary("full", full(kind, job_ref)), Canary("bare", bare(kind, job_ref))]
    if kind == "workable":
        found += [
            Canary("full, no member", full(kind, job_ref), {"member_id": ""}),
            Canary("bare, no member", bare(kind, job_ref), {"member_id": ""}),
        ]
    if kind == "skailer":
        found += [Canary("bare, comment always", bare(kind, job_ref), {"comment": "always"})]
    return found


def link_for(submission: Submission) -> str:
    return nexivohr_harness.resume_link(submission)


@dataclass(frozen=True)
class Target:
    """One kind's adapter and sandbox, as its harness in tests/ats/harnesses/ builds them."""

    job_ref: str
    settings: dict
    connect: Callable[[dict], tuple[AtsAdapter, Recorder]]


def through(sandbox: Any, base_path: str, build: Callable[..., AtsAdapter], **services: Any):
    def connect(settings: dict) -> tuple[AtsAdapter, Recorder]:
        recorder = Recorder(httpx.WSGITransport(app=sandbox()), base_path)
        return build(settings, transport=recorder, **services), recorder

    return connect


def workable_connect(settings: dict) -> tuple[AtsAdapter, Recorder]:
    clock = FakeClock()  # one clock for the sandbox's window and the adapter's pacing
    app = workable_sandbox.create_app({"clock": clock, "stages": workable_harness.STAGES})
    recorder = Recorder(httpx.WSGITransport(app=app), "/spi/v3")
    return workable.build(settings, transport=recorder, clock=clock, sleep=clock.sleep), recorder


class InboxRecorder(Recorder):
    """The local target sends no request: what its inbox receives stands in for one."""

    def __init__(self) -> None:
        super().__init__(httpx.MockTransport(lambda request: httpx.Response(500)), "")

    def __call__(self, submission: Submission) -> None:
        self.sent.append(Sent("INBOX", "/", json=dataclasses.asdict(submission)))


def local_connect(settings: dict) -> tuple[AtsAdapter, Recorder]:
    inbox = InboxRecorder()
    return local.build(settings, inbox=inbox), inbox


NEXIVO = {
    "api_token": "nexivo-test-token",
    "base_url": "http://nexivohr.test/ats/api/v1",
    "first_stage": "screening",
}
WORKABLE = {
    "base_url": "http://acme.workable.test/spi/v3",
    "token": "test-token",
    "member_id": "m-100",
    "domain": "careers.example.com",
}
TARGETS = {
    "local": Target("local-job-1", {"kind": "local"}, local_connect),
    "skailer": Target(
        "311",
        {"kind": "skailer", "base_url": "http://skailer.test", "token": "test-token"},
        through(lambda: skailer_sandbox.create_app({"token": "test-token"}), "", skailer.build),
    ),
    "dover": Target(
        dover_harness.JOB_REF,
        {"kind": "dover", "api_key": "dover-test-key", "base_url": "http://dover.test/api/v1/external"},
        through(lambda: dover_sandbox.create_app(None), "/api/v1/external", dover.build),
    ),
    "nexivohr": Target(
        nexivohr_harness.JOB_REF,
        {"kind": "nexivohr", **NEXIVO},
        through(
            lambda: nexivohr_sandbox.create_app(None), "/ats/api/v1", nexivohr.build, resume_link=link_for
        ),
    ),
    "workable": Target("BE1", {"kind": "workable", **WORKABLE}, workable_connect),
    "greenhouse": Target(
        "4101",
        {"kind": "greenhouse", **greenhouse_harness.V3},
        through(
            lambda: greenhouse_sandbox.create_app({"jobs": greenhouse_harness.tenant_jobs()}),
            "/v3",
            greenhouse.build,
        ),
    ),
    "greenhouse_v1": Target(
        "4101",
        {"kind": "greenhouse", **greenhouse_harness.V1},
        through(
            lambda: greenhouse_sandbox.create_app({"jobs": greenhouse_harness.tenant_jobs()}),
            "/v1",
            greenhouse.build,
        ),
    ),
    "greenhouse_job_board": Target(
        "5101",
        {"kind": "greenhouse", **jobboard_harness.SETTINGS},
        through(lambda: greenhouse_sandbox.create_app(None), "/v1", greenhouse.build),
    ),
}


def deliver(target: Target, canary: Canary) -> tuple[list[Sent], dict]:
    """Run the canary through the adapter as the delivery does (a resume its ATS does not take
    becomes a PDF rendition first): every request it sent, and the checkpoints."""
    adapter, recorder = target.connect({**target.settings, **canary.settings})
    sent = fit_resume(canary.submission, adapter.name).submission
    checkpoints = run_steps(adapter, sent, {}, lambda _: None)
    return recorder.sent, checkpoints


# the tests -----------------------------------------------------------------------------------
def test_there_is_a_drift_check_for_every_table():
    assert set(TARGETS) == set(places.TABLES)


@pytest.mark.parametrize("kind", sorted(TARGETS))
def test_every_field_is_where_the_place_table_says_and_nowhere_when_not_sent(kind):
    target = TARGETS[kind]
    problems, used, declared = [], set(), set()
    for canary in canaries(kind, target.job_ref):
        table = places.table_for({**target.settings, **canary.settings})
        sent, checkpoints = deliver(target, canary)
        found, exercised = audit(table, canary, sent, checkpoints, link_for(canary.submission))
        problems += [f"[{canary.name}] {line}" for line in found]
        used |= exercised
        declared |= {(key, p.text, p.at) for key, alternatives in table.fields.items() for p in alternatives}
    assert not problems, "\n".join(problems)
    unexercised = {(key, words) for key, words, _ in declared - used}
    assert not unexercised, (
        f"{kind}: no canary reaches these places, so nothing checks them: {sorted(unexercised)}"
    )


def test_a_place_the_adapter_does_not_use_fails_naming_where_the_value_really_went():
    target, canary = TARGETS["nexivohr"], Canary("full", full("nexivohr", "77"))
    sent, checkpoints = deliver(target, canary)
    wrong = places.Place("NexivoHR candidate · cover letter", ("POST /candidates json:cover_letter",))
    assert check_place(
        "nexivohr", "cover_letter", wrong, needles("cover_letter", canary.submission), sent, ""
    ) == [
        "nexivohr: cover_letter declared at POST /candidates json:cover_letter but not found; "
        "found in: POST /jobs/77/submissions json:notes"
    ]
    hidden = places.not_sent()
    assert check_place("nexivohr", "email", hidden, needles("email", canary.submission), sent, "") == [
        "nexivohr: email declared not sent but found in: GET /candidates query:q, POST /candidates json:email"
    ]
