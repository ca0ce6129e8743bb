"""Where each field of an application lands in each kind of ATS: the table HR's receipt reads.

One entry per field we hold: where it goes (the words HR reads), the request that carries it
(`at`: "METHOD /path/{placeholder} key", paths relative to the target's base URL) and how the
value sits there (`match`), or "not sent" with the reason. A field may have several places in
turn: the first whose condition holds is where the value went. tests/ats/test_places.py sends a
canary application through every adapter and its sandbox and checks each entry against the
requests really sent, so this table cannot quietly drift from the adapters.

Keys in `at`: `json:a.b[].c` (a JSON body; `[]` any element, `[k=v]` the element whose k is v),
`form:name` (a multipart field), `file:name` (a multipart file). `match`: equal (the key holds
the value), within (the value is inside the text or structure at the key), piece (the key holds
one comma-separated part of it), base64 / file (the resume's bytes), rendition (a PDF made from
it), link (a signed link to our copy), flag (the key holds "true").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.ats import dover_payloads, skailer_payloads, text, workable_payloads
from app.ats.base import Answer, Submission

NO_PLACE = "this ATS has no place for it"

FIELDS: dict[str, str] = {  # our field -> its label on the receipt
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "url": "Link",
    "location": "Location",
    "resume": "Resume",
    "cover_letter": "Cover letter",
    "consent": "Consent",
    "future_consent": "Consent to keep for future openings",
    "attribution": "Where they came from",
    "parsed.headline": "Resume data: headline",
    "parsed.summary": "Resume data: summary",
    "parsed.experience": "Resume data: experience",
    "parsed.education": "Resume data: education",
    "parsed.skills": "Resume data: skills",
}

Holds = Callable[[Submission, Mapping[str, Any]], "bool | None"]


@dataclass(frozen=True)
class Condition:
    """When a place is used: `holds(submission, checkpoints)`; None while the delivery has not
    yet run the step that decides, and `label` says so to HR."""

    label: str
    holds: Holds


ALWAYS = Condition("", lambda submission, checkpoints: True)


def step_sent(step: str, key: str, label: str) -> Condition:
    """The step ran and returned a non-empty `key`: what it carries reached the ATS."""

    def holds(submission: Submission, checkpoints: Mapping[str, Any]) -> bool | None:
        ids = checkpoints.get(step)
        return None if not isinstance(ids, Mapping) else bool(ids.get(key))

    return Condition(label, holds)


LINKEDIN_URL = Condition(
    "when the link is a LinkedIn profile", lambda s, c: dover_payloads.is_linkedin_url(s.url)
)
SOCIAL_URL = Condition(
    "when the link is a social profile",
    lambda s, c: any(p["url"] == s.url for p in workable_payloads.social_profiles(s)),
)
PDF_RESUME = Condition(
    "when the resume is a PDF",
    lambda s, c: (
        s.resume is not None
        and (s.resume.content_type == "application/pdf" or s.resume.data.startswith(dover_payloads.PDF_MAGIC))
    ),
)


@dataclass(frozen=True)
class Place:
    text: str  # what HR reads: "Skailer applicant · email", or "not sent: <reason>"
    at: tuple[str, ...] = ()  # the requests carrying it; () when it is not sent
    match: str = "equal"
    when: Condition = ALWAYS

    @property
    def sent(self) -> bool:
        return bool(self.at)


def not_sent(reason: str = NO_PLACE) -> Place:
    return Place(f"not sent: {reason}")


Places = tuple[Place, ...]


@dataclass(frozen=True)
class Table:
    """One kind's places. Answers: `synced` for an answer to the ATS's own question, `written`
    for questions HR wrote here and for file answers, whose file stays with us (app.ats.text);
    `{ref}` (the question's ref) and `{field}` (its Job Board field name) in a place's text and
    keys name the question."""

    kind: str
    name: str  # the ATS as HR knows it
    fields: Mapping[str, Places]
    written: Places
    synced: Places = ()
    caveat: str = ""

    def answer(self, answer: Answer) -> Places:
        chosen = self.synced if text.is_structured(answer) and self.synced else self.written
        ref = answer.question_ref
        field = _board_field(ref)

        def named(words: str) -> str:
            return words.replace("{ref}", ref).replace("{field}", field)

        return tuple(Place(named(p.text), tuple(map(named, p.at)), p.match, p.when) for p in chosen)


def _board_field(ref: str) -> str:
    return ref if ref.startswith("question_") else f"question_{ref}"


def _one_place(place: Place, keys: list[str], base: Mapping[str, Places] | None = None) -> dict[str, Places]:
    found = dict(base or {})
    found.update({key: (place,) for key in keys})
    return found


def _fill(fields: Mapping[str, Places]) -> dict[str, Places]:
    """Every field of ours not given a place is not sent."""
    return {key: fields.get(key, (not_sent(),)) for key in FIELDS}


# local ---------------------------------------------------------------------------------------
def local(settings: Mapping[str, Any]) -> Table:
    """No ATS: the application stays in our inbox, whole (the inbox sees the Submission)."""
    kept = "careers inbox (no ATS connected): kept here"
    attrs = {
        "consent": "consent_text",
        "future_consent": "future_consent_text",
        "resume": "resume.data",
    }  # else the Submission's own name
    fields = {
        key: (
            Place(
                kept,
                (f"INBOX / json:{attrs.get(key, key.partition('.')[0])}",),
                "file" if key == "resume" else "within",
            ),
        )
        for key in FIELDS
    }
    written = (Place(kept, ("INBOX / json:answers[question_ref={ref}].value",), "within"),)
    return Table("local", "the careers inbox", _fill(fields), written)


# Skailer -------------------------------------------------------------------------------------
def skailer(settings: Mapping[str, Any]) -> Table:
    applicant = f"POST {skailer_payloads.APPLICANT}"
    actions = "POST " + skailer_payloads.ACTIONS
    comment = Place(
        "Skailer candidate · comment (as text)",
        (f"{actions} json:comment",),
        "within",
        step_sent("comment", "comment_ref", "when the application needs a comment"),
    )
    no_comment = not_sent("Skailer has no field for it, and this application needed no comment")
    in_comment = (comment, no_comment)
    fields: dict[str, Places] = {
        key: (Place(f"Skailer applicant · {words}", (f"{applicant} json:{key}",)),)
        for key, words in (
            ("first_name", "first name"),
            ("last_name", "last name"),
            ("email", "email"),
            ("phone", "phone"),
        )
    }
    fields["url"] = (Place("Skailer applicant · LinkedIn URL", (f"{applicant} json:linkedin_url",)),)
    fields["location"] = (
        Place(
            "Skailer applicant · city and country",
            (f"{applicant} json:city", f"{applicant} json:country"),
            "piece",
        ),
    )
    fields["resume"] = (
        Place(
            "Skailer CV file, linked to the applicant",
            (f"POST {skailer_payloads.UPLOAD_CV} file:file",),
            "file",
        ),
    )
    fields["cover_letter"] = fields["consent"] = fields["future_consent"] = in_comment
    fields["attribution"] = (
        Place(
            "Skailer candidate · comment (as text); the Skailer source when utm_source names one",
            comment.at,
            "within",
            comment.when,
        ),
        no_comment,
    )
    return Table("skailer", "Skailer", _fill(fields), in_comment)


# Dover ---------------------------------------------------------------------------------------
def dover(settings: Mapping[str, Any]) -> Table:
    post = "POST /candidates"
    comments = Place(
        "Dover candidate · additional comments (as text)", (f"{post} form:additional_comments",), "within"
    )
    fields: dict[str, Places] = {
        key: (Place(f"Dover candidate · {words}", (f"{post} form:candidate_{key}",)),)
        for key, words in (("first_name", "first name"), ("last_name", "last name"), ("email", "email"))
    }
    fields["url"] = (
        Place("Dover candidate · LinkedIn URL", (f"{post} form:candidate_linkedin_url",), when=LINKEDIN_URL),
        comments,
    )
    fields["resume"] = (
        Place("Dover candidate · resume file", (f"{post} file:resume",), "file", PDF_RESUME),
        Place(
            "Dover candidate · resume file, as a PDF rendition of it (the original stays here)",
            (f"{post} file:resume",),
            "rendition",
        ),
    )
    fields = _one_place(
        comments, ["phone", "location", "cover_letter", "consent", "future_consent", "attribution"], fields
    )
    return Table("dover", "Dover", _fill(fields), (comments,))


# NexivoHR ------------------------------------------------------------------------------------
NEXIVO_ATTRS = {"summary": "parsed.summary", "headline": "parsed.headline"}


def nexivohr(settings: Mapping[str, Any]) -> Table:
    post = "POST /candidates"
    submit = "POST /jobs/{job}/submissions"
    notes = Place("NexivoHR submission · notes (as text)", (f"{submit} json:notes",), "within")
    fields: dict[str, Places] = {
        key: (Place(f"NexivoHR candidate · {words}", (f"{post} json:{key}",)),)
        for key, words in (
            ("first_name", "first name"),
            ("last_name", "last name"),
            ("email", "email"),
            ("phone", "phone"),
        )
    }
    fields["location"] = (
        Place(
            "NexivoHR candidate · city (and state, when the location names one)",
            (f"{post} json:city",),
            "piece",
        ),
    )
    fields["parsed.headline"] = (
        Place("NexivoHR candidate · current title", (f"{post} json:current_title",)),
    )
    link_field = str(settings.get("resume_link_field") or "notes")
    if link_field.startswith("candidate."):
        where, key = (
            f"NexivoHR candidate · {link_field.removeprefix('candidate.')}",
            f"{post} json:{link_field.removeprefix('candidate.')}",
        )
    else:
        where, key = f"NexivoHR submission · {link_field}", f"{submit} json:{link_field}"
    fields["resume"] = (
        Place(f"{where}, as a signed link to the file kept here (NexivoHR takes no files)", (key,), "link"),
    )
    for target, attr in (settings.get("extra_fields") or {}).items():
        ours = attr if attr in FIELDS else NEXIVO_ATTRS.get(attr, "")
        if ours:
            fields[ours] = (Place(f"NexivoHR candidate · {target}", (f"{post} json:{target}",)),)
    for key in ("attribution", "url", "cover_letter", "consent", "future_consent"):
        fields.setdefault(key, (notes,))
    caveat = (
        "A person NexivoHR already holds (same email) keeps their candidate record: this "
        "application's other details go in the submission's notes."
    )
    return Table("nexivohr", "NexivoHR", _fill(fields), (notes,), caveat=caveat)


# Workable ------------------------------------------------------------------------------------
def workable(settings: Mapping[str, Any]) -> Table:
    post = "POST /jobs/{shortcode}/candidates"

    def candidate(words: str, key: str, match: str = "equal") -> Place:
        return Place(f"Workable candidate · {words}", (f"{post} json:candidate.{key}",), match)

    fields: dict[str, Places] = {
        "first_name": (candidate("first name", "firstname"),),
        "last_name": (candidate("last name", "lastname"),),
        "email": (candidate("email", "email"),),
        "phone": (candidate("phone", "phone"),),
        "location": (candidate("address", "address"),),
        "url": (
            Place(
                "Workable candidate · social profiles",
                (f"{post} json:candidate.social_profiles[].url",),
                when=SOCIAL_URL,
            ),
        ),
        "resume": (candidate("resume", "resume.data", "base64"),),
        "cover_letter": (candidate("cover letter", "cover_letter", "within"),),
        "parsed.headline": (candidate("headline", "headline"),),
        "parsed.summary": (candidate("summary", "summary"),),
        "parsed.experience": (candidate("experience", "experience_entries", "within"),),
        "parsed.education": (candidate("education", "education_entries", "within"),),
        "parsed.skills": (candidate("skills", "skills[]"),),
    }
    if settings.get("member_id"):
        written = Place(
            "Workable candidate · comment (as text)",
            ("POST /candidates/{id}/comments json:comment.body",),
            "within",
        )
    else:
        written = candidate("cover letter (as text)", "cover_letter", "within")
    fields = _one_place(written, ["consent", "future_consent", "attribution"], fields)
    # A link that is no social profile goes as a "Website:" line with the rest of the text.
    fields["url"] = (*fields["url"], written)
    synced = Place(
        "Workable candidate · answer to question {ref}",
        (post + " json:candidate.answers[question_key={ref}]",),
        "within",
    )
    caveat = (
        "A person already on this job in Workable (same email) is updated in place: their profile "
        "keeps what it had and gains what was missing, and the comment holds the rest."
    )
    return Table("workable", "Workable", _fill(fields), (written,), (synced,), caveat=caveat)


# Greenhouse ----------------------------------------------------------------------------------
RETURNING_CAVEAT = (
    "A person Greenhouse already holds (same email) keeps their candidate record: the new "
    "application carries the resume, the note the rest."
)


def _candidate_fields(extra: Mapping[str, Places]) -> dict[str, Places]:
    """The fields both Harvest versions put on the candidate they create, with `extra`."""
    post = "POST /candidates"

    def candidate(words: str, key: str) -> Places:
        return (Place(f"Greenhouse candidate · {words}", (f"{post} json:{key}",)),)

    return {
        "first_name": candidate("first name", "first_name"),
        "last_name": candidate("last name", "last_name"),
        "email": candidate("email address", "email_addresses[].value"),
        "phone": candidate("phone number", "phone_numbers[].value"),
        "location": candidate("address", "addresses[].value"),
        "url": candidate("social media address", "social_media_addresses[].value"),
        "parsed.skills": candidate("tags", "tags[]"),
        **extra,
    }


def _harvest_table(kind: str, name: str, note: Place, extra: Mapping[str, Places]) -> Table:
    fields = _one_place(
        note,
        ["cover_letter", "consent", "future_consent", "attribution", "parsed.summary", "parsed.education"],
        _candidate_fields(extra),
    )
    return Table(kind, name, _fill(fields), (note,), caveat=RETURNING_CAVEAT)


def harvest(settings: Mapping[str, Any]) -> Table:
    """Harvest v3 (the default): candidate, application, attachment and note are four writes."""
    note = Place("Greenhouse candidate · note (as text)", ("POST /notes json:body",), "within")
    latest = Place(
        "Greenhouse candidate · title and company (latest position); the rest in the note",
        ("POST /candidates json:title", "POST /candidates json:company", "POST /notes json:body"),
        "within",
    )
    resume = Place(
        "Greenhouse application · resume attachment", ("POST /attachments json:content",), "base64"
    )
    extra = {"resume": (resume,), "parsed.experience": (latest,)}
    return _harvest_table("greenhouse", "Greenhouse Harvest", note, extra)


def harvest_v1(settings: Mapping[str, Any]) -> Table:
    """The retired Harvest v1, kept for targets that still name it."""
    note = Place(
        "Greenhouse candidate · activity-feed note (as text)",
        ("POST /candidates/{id}/activity_feed/notes json:body",),
        "within",
    )
    resume = Place(
        "Greenhouse candidate · resume attachment on the application",
        ("POST /candidates json:applications[].attachments[].content",),
        "base64",
    )
    employments = Place(
        "Greenhouse candidate · employments (entries with a company and a start date)",
        ("POST /candidates json:employments",),
        "within",
    )
    extra = {"resume": (resume,), "parsed.experience": (employments,)}
    return _harvest_table("greenhouse_v1", "Greenhouse Harvest v1", note, extra)


def job_board(settings: Mapping[str, Any]) -> Table:
    post = "POST /boards/{board}/jobs/{job}"
    letter = Place(
        "Greenhouse application · cover letter text", (f"{post} form:cover_letter_text",), "within"
    )
    fields: dict[str, Places] = {
        key: (Place(f"Greenhouse application · {words}", (f"{post} form:{key}",)),)
        for key, words in (
            ("first_name", "first name"),
            ("last_name", "last name"),
            ("email", "email"),
            ("phone", "phone"),
        )
    }
    fields["resume"] = (Place("Greenhouse application · resume file", (f"{post} file:resume",), "file"),)
    fields["cover_letter"] = (letter,)
    fields["consent"] = (
        Place(
            "Greenhouse application · GDPR processing consent flag (as the post asks); the text stays here",
            (f"{post} form:data_compliance[gdpr_processing_consent_given]",),
            "flag",
        ),
    )
    fields["future_consent"] = (
        Place(
            "Greenhouse application · GDPR retention consent flag (as the post asks); the text stays here",
            (f"{post} form:data_compliance[gdpr_retention_consent_given]",),
            "flag",
        ),
    )
    fields["attribution"] = (
        Place(
            "Greenhouse application · source token (gh_src) and cover letter text",
            (f"{post} form:mapped_url_token", f"{post} form:cover_letter_text"),
            "within",
        ),
    )
    # The Job Board ignores `location` without coordinates, and has no link field of its own (a
    # post's own website question takes the link when it has one and the candidate left it blank).
    fields["url"] = (Place("Greenhouse application · cover letter text (details)", letter.at, "within"),)
    fields["location"] = fields["url"]
    written = Place("Greenhouse application · cover letter text (as text)", letter.at, "within")
    synced = Place("Greenhouse application · question field {field}", (post + " form:{field}",))
    return Table("greenhouse_job_board", "Greenhouse Job Board", _fill(fields), (written,), (synced,))


TABLES: dict[str, Callable[[Mapping[str, Any]], Table]] = {
    "local": local,
    "skailer": skailer,
    "dover": dover,
    "nexivohr": nexivohr,
    "workable": workable,
    "greenhouse": harvest,
    "greenhouse_v1": harvest_v1,
    "greenhouse_job_board": job_board,
}


def table_for(settings: Mapping[str, Any]) -> Table:
    """The table for a target's settings (the same dict `registry.build_adapter` takes)."""
    kind = settings.get("kind", "local")
    if kind == "greenhouse" and settings.get("flavour") == "job_board":
        kind = "greenhouse_job_board"
    elif kind == "greenhouse" and settings.get("harvest_api") == "v1":
        kind = "greenhouse_v1"
    if kind not in TABLES:
        raise ValueError(f"no place table for ATS kind {kind!r}; known: {', '.join(sorted(TABLES))}")
    return TABLES[kind](settings)
