"""One Greenhouse Job Board application post, built from our submission and the job post it
answers (job-board `_applications.md` "Submit an application", `_jobs.md` "Retrieve a job").

The post (`?questions=true`) says what the form must hold: its own `questions`, the GDPR rule
in `data_compliance`, EEOC `compliance` questions and Greenhouse Inclusion
`demographic_questions`. Consent is sent only as the candidate gave it: our form's consent
covers processing the application; keeping it for the retention period is our form's separate,
optional consent for future openings (or the post's synced yes/no question, for jobs imported
before our form asked it), and no consent is sent as `false`. Location and website have no field of their own
that would hold them (`location` without coordinates is ignored), so they travel in the cover
letter text, unless the post asks for a website in a question of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.ats import text
from app.ats.base import Answer, PermanentError, Submission, SyncedQuestion
from app.ats.demographics import DemographicChoice, DemographicOption, SyncedDemographic
from app.ats.greenhouse_payloads import choice_values, field_name

CONSENT_PREFIX = "data_compliance["
RETENTION = "data_compliance[gdpr_retention_consent_given]"
PROCESSING = "data_compliance[gdpr_processing_consent_given]"
SINGLE_CONSENT = "data_compliance[gdpr_consent_given]"
EEOC, INCLUSION = "eeoc", "inclusion"
KINDS = {"multi_value_single_select": "single_select", "multi_value_multi_select": "multi_select"}
WEBSITE_LABEL = re.compile(r"linkedin|website|web site|portfolio|github|homepage|\burl\b", re.IGNORECASE)

Form = list[tuple[str, str]]


# --- what a job sync imports ----------------------------------------------------------------


def gdpr_rules(post: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        r for r in post.get("data_compliance") or [] if isinstance(r, Mapping) and r.get("type") == "gdpr"
    ]


def consent_questions(post: Mapping[str, Any]) -> list[SyncedQuestion]:
    """The consent a post asks for beyond processing the application: keeping it for the
    rule's retention period. Optional on our form; no answer is no consent."""
    for rule in gdpr_rules(post):
        if rule.get("requires_retention_consent"):
            days = rule.get("retention_period")
            period = f" for {days} days" if days else ""
            label = f"May we keep your application{period} to consider you for other roles? (optional)"
            return [SyncedQuestion(ref=RETENTION, label=label, kind="yes_no", required=False)]
    return []


def demographic_questions(post: Mapping[str, Any]) -> list[SyncedDemographic]:
    """EEOC `compliance` fields and Greenhouse Inclusion `demographic_questions`, both voluntary."""
    found = [
        _eeoc_question(question, field)
        for block in post.get("compliance") or []
        for question in block.get("questions") or []
        for field in (question.get("fields") or [])[:1]
        if field.get("type") in KINDS
    ]
    inclusion = (post.get("demographic_questions") or {}).get("questions") or []
    found += [_inclusion_question(q) for q in inclusion if q.get("type") in KINDS]
    return found


def _eeoc_question(question: Mapping[str, Any], field: Mapping[str, Any]) -> SyncedDemographic:
    options = [
        DemographicOption(str(v["value"]), str(v.get("label") or v["value"]))
        for v in field.get("values") or []
    ]
    return SyncedDemographic(
        section=EEOC,
        ref=str(field["name"]),
        label=str(question.get("label") or field["name"]),
        kind=KINDS[field["type"]],  # type: ignore[arg-type]
        options=_unique(options),
    )


def _inclusion_question(question: Mapping[str, Any]) -> SyncedDemographic:
    options = [
        DemographicOption(str(o["id"]), str(o.get("label") or o["id"]), bool(o.get("free_form")))
        for o in question.get("answer_options") or []
    ]
    return SyncedDemographic(
        section=INCLUSION,
        ref=str(question["id"]),
        label=str(question.get("label") or question["id"]),
        kind=KINDS[question["type"]],  # type: ignore[arg-type]
        options=_unique(options),
    )


def _unique(options: Iterable[DemographicOption]) -> tuple[DemographicOption, ...]:
    """One option per ref (a form cannot tell two options with the same value apart)."""
    seen: dict[str, DemographicOption] = {}
    for option in options:
        seen.setdefault(option.ref, option)
    return tuple(seen.values())


# --- the post -------------------------------------------------------------------------------


def consent_fields(post: Mapping[str, Any], submission: Submission) -> tuple[Form, dict[str, str]]:
    """The `data_compliance` answers the post's GDPR rule requires, and notes for HR.

    Single-purpose consent (processing, retention) when the rule names it, else the one
    `gdpr_consent_given`. Processing consent is the consent our form requires; without it
    nothing is posted."""
    form: Form = []
    notes: dict[str, str] = {}
    for rule in gdpr_rules(post):
        single = rule.get("requires_processing_consent") or rule.get("requires_retention_consent")
        asks = PROCESSING if rule.get("requires_processing_consent") else None
        if rule.get("requires_consent") and not single:
            asks = SINGLE_CONSENT
        if asks and not submission.consent_text:
            raise PermanentError(
                "greenhouse_job_board: the job post requires the candidate's consent to process "
                "the application, and this application holds none; nothing was posted",
                ats="greenhouse_job_board",
            )
        if asks:
            form.append((asks, "true"))
        if rule.get("requires_retention_consent"):
            answer = retention_given(submission)
            form.append((RETENTION, "true" if answer is True else "false"))
            if answer is None:
                notes["consent"] = (
                    "The job post asks for consent to keep the application for its retention "
                    "period; the candidate was not asked or did not answer, so Greenhouse was "
                    "told it was not given"
                )
    return list(dict.fromkeys(form)), notes


def retention_given(submission: Submission) -> bool | None:
    """Our form's consent for future openings, or the post's synced question where a job still
    asks it; a "No" to either is no consent, however the other was answered."""
    answer = retention_answer(submission.answers)
    if answer is False:
        return False
    return True if submission.future_consent_text else answer


def retention_answer(answers: Iterable[Answer]) -> bool | None:
    found = [a.value for a in answers if a.question_ref == RETENTION]
    return bool(found[0]) if found else None


def demographic_fields(post: Mapping[str, Any], choices: Sequence[DemographicChoice]) -> tuple[Form, int]:
    """The candidate's voluntary answers as the post documents them: EEOC answers as their
    field (`gender=2`), Inclusion answers as `demographic_answers[]` entries. Answers to
    questions or options the post no longer has are left out; the count says how many."""
    asked = {(q.section, q.ref): q for q in demographic_questions(post)}
    form: Form = []
    dropped = 0
    for choice in choices:
        question = asked.get((choice.section, choice.question_ref))
        options = {o.ref: o for o in question.options} if question else {}
        picked = [ref for ref in choice.option_refs if ref in options]
        if question is None or len(picked) != len(choice.option_refs) or not picked:
            dropped += 1
            continue
        if choice.section == EEOC:
            form.append((choice.question_ref, picked[0]))
            continue
        form.append(("demographic_answers[][question_id]", choice.question_ref))
        for ref in picked:
            form.append(("demographic_answers[][answer_options][][answer_option_id]", ref))
            if options[ref].free_form and choice.text:
                form.append(("demographic_answers[][answer_options][][text]", choice.text))
    return form, dropped


def website_question(post: Mapping[str, Any], answered: set[str]) -> str:
    """The name of the post's own text question asking for a website or profile link, when
    the candidate left it blank on our form; "" when there is none."""
    for question in post.get("questions") or []:
        fields = question.get("fields") or []
        if not fields or fields[0].get("type") != "input_text":
            continue
        name = str(fields[0]["name"])
        asks = WEBSITE_LABEL.search(str(question.get("label") or ""))
        if asks and name.startswith("question_") and name not in answered:
            return name
    return ""


def application_form(
    submission: Submission,
    post: Mapping[str, Any],
    *,
    mapped_url_token: str,
    choices: Sequence[DemographicChoice] = (),
) -> tuple[Form, dict[str, str]]:
    """Every form field of the post, as (name, value) pairs (names may repeat), and notes for
    HR (by topic) about what the post could not take as the candidate gave it."""
    structured = [
        a for a in text.split_answers(submission.answers)[0] if not a.question_ref.startswith(CONSENT_PREFIX)
    ]
    answers = answer_fields(structured, choice_values(post.get("questions") or []))
    website = (
        website_question(post, {name.removesuffix("[]") for name, _ in answers}) if submission.url else ""
    )
    form: Form = [
        ("first_name", submission.first_name),
        ("last_name", submission.last_name),
        ("email", submission.email),
    ]
    if submission.phone:
        form.append(("phone", submission.phone))
    letter = cover_letter(submission, website_sent=bool(website))
    if letter:
        form.append(("cover_letter_text", letter))
    form += answers
    if website:
        form.append((website, submission.url))
    consents, notes = consent_fields(post, submission)
    voluntary, dropped = demographic_fields(post, choices)
    form += consents + voluntary
    if dropped:
        notes["demographics"] = (
            f"{dropped} voluntary self-identification answer(s) no longer match the job post "
            "and were not sent"
        )
    if mapped_url_token:
        form.append(("mapped_url_token", mapped_url_token))
    return form, notes


def answer_fields(answers: Iterable[Answer], choices: Mapping[str, Mapping[str, str]]) -> Form:
    """`question_<id>` fields; a chosen option as its value (our form stores the label)."""
    form: Form = []
    for answer in answers:
        name, value = field_name(answer.question_ref), answer.value
        options = choices.get(answer.question_ref) or choices.get(name) or {}
        if options:
            value = (
                [options.get(str(v).lower(), str(v)) for v in value]
                if isinstance(value, (list, tuple))
                else options.get(str(value).lower(), value)
            )
        if isinstance(value, (list, tuple)):
            form += [(f"{name}[]", str(item)) for item in value]
        elif isinstance(value, bool):
            form.append((name, "1" if value else "0"))
        else:
            form.append((name, str(value)))
    return form


def cover_letter(submission: Submission, *, website_sent: bool) -> str:
    """The letter, then what the post has no field for: where the candidate is based, their
    website (unless a post question took it), answers to questions HR wrote in our admin, file
    answers (the file stays with us) and where the candidate came from."""
    _, written = text.split_answers(submission.answers)
    contact = []
    if submission.location:
        contact.append(f"Location: {submission.location}")
    if submission.url and not website_sent:
        contact.append(f"Website: {submission.url}")
    extra = [
        "\n".join(contact),
        text.answers_block(written, "Answers on the careers site"),
        text.source_line(submission),
    ]
    extra = [part for part in extra if part]
    if not extra:
        return submission.cover_letter
    details = "Application details from the careers site\n\n" + "\n\n".join(extra)
    return "\n\n".join(p for p in (submission.cover_letter, details) if p)
