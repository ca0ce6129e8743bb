"""Answers to questions HR wrote in our admin, file answers and the visit's attribution reach
every ATS without making it refuse the application: as structured answers only where the ATS
owns the question, otherwise in the ATS's free text, and in its source field where it has one.

Each case reads what the ATS received from its sandbox's state.
"""

from __future__ import annotations

import pytest

from app.ats import text
from app.ats.base import Answer
from app.intake.delivery import LOCAL_QUESTION_PREFIX
from app.intake.runner import run_steps
from tests.ats.harnesses import all_harnesses, greenhouse_jobboard, make_submission, workable

PORTFOLIO = {
    "file_key": "uploads/7f3a",
    "filename": "portfolio.pdf",
    "content_type": "application/pdf",
    "size": 2048,
}
LOCAL_ANSWERS = (
    Answer("local-7", "Years of Python", "5"),
    Answer("local-8", "Tools", ["Git", "SQL"]),
    Answer("local-9", "Visa?", False),
    Answer("local-10", "Portfolio", PORTFOLIO),
)
ATS_ANSWER = Answer("q1", "Years of experience", "5")  # a question of the job in every sandbox
ATTRIBUTION = {"utm_source": "linkedin", "utm_campaign": "fall", "referrer": "example.org"}
SHOWN = {
    "Years of Python": "5",
    "Tools": "Git, SQL",
    "Visa?": "No",
    "Portfolio": "file attached in careers inbox: portfolio.pdf",
}


def deliver(harness, **overrides):
    values = {"answers": (ATS_ANSWER, *LOCAL_ANSWERS), "attribution": ATTRIBUTION, **overrides}
    submission = make_submission(harness.job_ref, **values)
    return run_steps(harness.adapter, submission, {}, lambda _: None)


def free_text(harness) -> str:
    """The note, comment or letter the ATS stored for the recruiter."""
    state = getattr(harness.sandbox, "state", None)
    if harness.kind == "skailer":
        return "\n".join(a["comment"] for a in state.actions.values())
    if harness.kind == "dover":
        return state.candidates[0]["additional_comments"]
    if harness.kind == "nexivohr":
        return "\n".join(s["notes"] for s in state.submissions.values())
    if harness.kind == "workable":
        return "\n".join(c["comment"]["body"] for c in state.comments)
    if harness.kind == "greenhouse":
        return "\n".join(n["body"] for n in state.notes)
    if harness.kind == "greenhouse_jobboard":
        return "\n".join(state.candidates[0]["board_form"]["cover_letter_text"])
    raise AssertionError(f"no free text known for {harness.kind}")


def mentions(written: str, label: str, value: str) -> bool:
    return f"{label}: {value}" in written or f"Q: {label}\nA: {value}" in written


def test_our_local_prefix_is_the_one_intake_gives_local_questions():
    assert text.LOCAL_PREFIX == LOCAL_QUESTION_PREFIX


@pytest.mark.parametrize("kind", sorted(all_harnesses()))
def test_local_answers_and_attribution_are_delivered_as_text(kind):
    harness = all_harnesses()[kind]()
    deliver(harness)
    assert harness.sandbox.count_applications("ada@example.com", harness.job_ref) == 1
    if kind == "local":  # our own inbox keeps the submission as it is
        [received] = harness.sandbox.received
        assert received.answers[1:] == LOCAL_ANSWERS and received.attribution == ATTRIBUTION
        return
    written = free_text(harness)
    for label, value in SHOWN.items():
        assert mentions(written, label, value), (label, written)
    for value in ATTRIBUTION.values():
        assert value in written
    assert "uploads/7f3a" not in written  # our storage key is ours alone


def test_workable_takes_only_its_own_questions_as_answers():
    harness = workable.make()
    deliver(harness, answers=(ATS_ANSWER, *LOCAL_ANSWERS, Answer("q4", "CV again", PORTFOLIO)))
    [candidate] = harness.extra["state"].candidates
    assert candidate["answers"] == [{"question_key": "q1", "body": "5"}]
    assert mentions(free_text(harness), "CV again", SHOWN["Portfolio"])


def test_workable_without_a_member_puts_answers_and_attribution_in_the_cover_letter():
    harness = workable.make(member_id="", domain="")
    deliver(harness)
    [candidate] = harness.extra["state"].candidates
    letter = candidate["cover_letter"]
    assert letter.startswith("I would love to work on engines.")
    assert all(mentions(letter, label, value) for label, value in SHOWN.items())
    assert "Source: Careers site (referrer=example.org, utm_campaign=fall, utm_source=linkedin)" in letter
    assert candidate["domain"] == "example.org"  # the referrer, as no domain is set
    assert harness.extra["state"].comments == []


def test_workable_domain_falls_back_to_utm_source_and_keeps_a_configured_one():
    bare = workable.make(domain="")
    deliver(bare, attribution={"utm_source": "linkedin"})
    configured = workable.make()
    deliver(configured)
    assert bare.extra["state"].candidates[0]["domain"] == "linkedin"
    assert configured.extra["state"].candidates[0]["domain"] == "careers.example.com"


def test_greenhouse_job_board_posts_only_its_own_questions_as_question_fields():
    harness = greenhouse_jobboard.make()
    deliver(
        harness,
        answers=(
            ATS_ANSWER,
            Answer("6002", "Work permit?", True),
            *LOCAL_ANSWERS,
            Answer("question_7001", "CV again", PORTFOLIO),
        ),
    )
    form = harness.extra["state"].candidates[0]["board_form"]
    assert sorted(k for k in form if k.startswith("question_")) == ["question_6002", "question_q1"]
    assert form["question_q1"] == ["5"] and form["question_6002"] == ["1"]
    assert mentions(free_text(harness), "CV again", SHOWN["Portfolio"])
    assert free_text(harness).startswith("I would love to work on engines.")


@pytest.mark.parametrize(
    "attribution, token",
    [
        ({"src": "host-banner"}, "host-banner"),
        ({"gh_src": "li-123", "src": "host-banner"}, "li-123"),
        ({"utm_source": "linkedin"}, "careers-site"),
    ],
)
def test_greenhouse_job_board_source_token_comes_from_the_visit_before_the_configured_one(attribution, token):
    harness = greenhouse_jobboard.make()
    deliver(harness, attribution=attribution)
    [application] = harness.extra["state"].candidates[0]["applications"]
    assert application["mapped_url_token"] == token


def test_harvest_keeps_the_configured_source_and_notes_the_attribution():
    harness = all_harnesses()["greenhouse"]()
    deliver(harness)
    [candidate] = harness.extra["state"].candidates
    assert candidate["applications"][0]["source"] == {"id": 12}  # "Careers site"
    assert "utm_source: linkedin" in free_text(harness)


def test_skailer_takes_the_source_named_by_utm_source_when_it_has_one():
    named = all_harnesses()["skailer"]()
    deliver(named)
    unknown = all_harnesses()["skailer"]()
    deliver(unknown, attribution={"utm_source": "newsletter"})
    assert [a["source_id"] for a in named.extra["state"].applicants.values()] == [8]  # LinkedIn
    assert "source: LinkedIn" in free_text(named)
    assert [a["source_id"] for a in unknown.extra["state"].applicants.values()] == [7]  # configured


def test_dover_and_nexivohr_name_the_source_with_its_attribution():
    for kind in ("dover", "nexivohr"):
        harness = all_harnesses()[kind]()
        deliver(harness)
        assert (
            "Source: Careers site (referrer=example.org, utm_campaign=fall, utm_source=linkedin)"
            in free_text(harness)
        )
