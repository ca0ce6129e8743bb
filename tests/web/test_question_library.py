"""The question library: reusable questions and sets HR adds to a job in one step; a choice
question without options is refused, in the library and on a job."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import LibraryQuestion, Question, QuestionSet
from tests.conftest import add_job, add_user, csrf_token_from, login
from tests.web.helpers import error_for, field_value

NO_OPTIONS = "A choice question needs at least one option: write one per line."


@pytest.fixture
def hr(app, client):
    add_user(app)
    login(client)
    return client


def token(hr) -> str:
    return csrf_token_from(hr.get("/admin/library").text)


def add_library_question(hr, label, kind="short_text", choices="", required=False):
    data = {"csrf_token": token(hr), "label": label, "kind": kind, "choices_text": choices}
    if required:
        data["required"] = "y"
    return hr.post("/admin/library/questions", data=data)


def library_id(app, label: str) -> int:
    with app.app_context():
        return db.session.scalar(select(LibraryQuestion.id).where(LibraryQuestion.label == label))


def add_set(app, hr, name, labels):
    ids = [str(library_id(app, label)) for label in labels]
    return hr.post("/admin/library/sets", data={"csrf_token": token(hr), "name": name, "question_ids": ids})


def job_questions(app, job_id: int) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(
            select(Question).where(Question.job_id == job_id).order_by(Question.position)
        )
        return [(q.label, q.kind, q.required, q.options) for q in rows]


def add_to_job(hr, job_id: int, item: str):
    page = hr.get(f"/admin/jobs/{job_id}").text
    return hr.post(
        f"/admin/jobs/{job_id}/questions/from-library",
        data={"csrf_token": csrf_token_from(page), "item": item},
    )


def test_a_library_question_is_added_to_a_job_as_its_own_copy(app, hr):
    add_library_question(hr, "Preferred editor", "single_select", "vim\nemacs", required=True)
    job_id = add_job(app)
    assert add_to_job(hr, job_id, f"question-{library_id(app, 'Preferred editor')}").status_code == 302
    assert job_questions(app, job_id) == [("Preferred editor", "single_select", True, ["vim", "emacs"])]
    assert "Preferred editor" in hr.get(f"/jobs/{job_id}/apply").text
    edit = hr.get(f"/admin/library/questions/{library_id(app, 'Preferred editor')}").text
    hr.post(
        f"/admin/library/questions/{library_id(app, 'Preferred editor')}",
        data={"csrf_token": csrf_token_from(edit), "label": "Editor", "kind": "short_text"},
    )
    assert job_questions(app, job_id)[0][0] == "Preferred editor"  # the job kept its copy


def test_a_set_adds_its_questions_to_a_job_in_one_step_in_order(app, hr):
    add_library_question(hr, "Notice period")
    add_library_question(hr, "Work permit", "yes_no", required=True)
    add_library_question(hr, "Seniority", "single_select", "Junior\nSenior")
    assert (
        add_set(app, hr, "Engineering basics", ["Work permit", "Notice period", "Seniority"]).status_code
        == 302
    )
    job_id = add_job(app, questions=[{"label": "Notice period", "kind": "short_text"}])
    with app.app_context():
        set_id = db.session.scalar(select(QuestionSet.id))
    response = add_to_job(hr, job_id, f"set-{set_id}")
    assert response.status_code == 302
    assert "2 question(s) added; 1 the job asks already." in hr.get(response.location).text
    assert [row[0] for row in job_questions(app, job_id)] == ["Notice period", "Work permit", "Seniority"]
    assert "Set: Engineering basics (3 questions)" in hr.get(f"/admin/jobs/{job_id}").text


def test_a_choice_question_without_options_is_refused_in_the_library_with_what_was_typed(app, hr):
    response = add_library_question(hr, "Preferred stack", "single_select", "  \n", required=True)
    assert response.status_code == 200
    assert error_for(response.text, "choices_text") == NO_OPTIONS
    assert field_value(response.text, "label") == "Preferred stack"
    with app.app_context():
        assert db.session.scalar(select(LibraryQuestion)) is None


def test_a_required_choice_question_without_options_is_refused_on_a_single_job(app, hr):
    job_id = add_job(app)
    page = hr.get(f"/admin/jobs/{job_id}").text
    response = hr.post(
        f"/admin/jobs/{job_id}/questions",
        data={"csrf_token": csrf_token_from(page), "label": "Shift", "kind": "multi_select", "required": "y"},
    )
    assert response.status_code == 200
    assert error_for(response.text, "choices_text") == NO_OPTIONS
    assert field_value(response.text, "label") == "Shift"
    assert job_questions(app, job_id) == []


def test_editing_a_library_question_into_a_choice_without_options_is_refused(app, hr):
    add_library_question(hr, "Languages spoken")
    question_id = library_id(app, "Languages spoken")
    edit = hr.get(f"/admin/library/questions/{question_id}").text
    response = hr.post(
        f"/admin/library/questions/{question_id}",
        data={
            "csrf_token": csrf_token_from(edit),
            "label": "Languages",
            "kind": "multi_select",
            "required": "y",
        },
    )
    assert error_for(response.text, "choices_text") == NO_OPTIONS
    assert field_value(response.text, "label") == "Languages"
    with app.app_context():
        assert db.session.get(LibraryQuestion, question_id).kind == "short_text"


def test_a_set_needs_a_unique_name_and_at_least_one_question(app, hr):
    add_library_question(hr, "Notice period")
    empty = add_set(app, hr, "Empty", [])
    assert error_for(empty.text, "question_ids") == "Choose at least one question for the set."
    assert field_value(empty.text, "name") == "Empty"
    add_set(app, hr, "Basics", ["Notice period"])
    clash = add_set(app, hr, "basics", ["Notice period"])
    assert error_for(clash.text, "name") == "A set named “basics” exists already: choose another name."
    with app.app_context():
        assert db.session.scalars(select(QuestionSet.name)).all() == ["Basics"]


def test_adding_nothing_from_the_library_explains_what_to_choose(app, hr):
    add_library_question(hr, "Notice period")
    job_id = add_job(app)
    response = add_to_job(hr, job_id, "")
    assert response.status_code == 200
    assert error_for(response.text, "item") == "Choose a question or a set."
    assert job_questions(app, job_id) == []


def test_removing_a_library_question_needs_confirmation_and_leaves_jobs_alone(app, hr):
    add_library_question(hr, "Notice period")
    question_id = library_id(app, "Notice period")
    add_set(app, hr, "Basics", ["Notice period"])
    job_id = add_job(app)
    add_to_job(hr, job_id, f"question-{question_id}")
    url = f"/admin/library/questions/{question_id}/delete"
    asked = hr.post(url, data={"csrf_token": token(hr)})
    assert asked.status_code == 200 and library_id(app, "Notice period") == question_id
    hr.post(url, data={"csrf_token": token(hr), "confirm": "yes"})
    assert library_id(app, "Notice period") is None
    assert job_questions(app, job_id)[0][0] == "Notice period"
    with app.app_context():
        assert db.session.scalar(select(QuestionSet)).items == []
