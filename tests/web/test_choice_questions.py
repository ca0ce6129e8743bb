"""A choice question offers only its options, so one without options can never be answered: HR's
editor and the job file loader refuse it, and say so where it can be fixed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Job, Question
from tests.conftest import add_job, add_user, csrf_token_from, login
from tests.web.helpers import error_for, field_value, open_form, post_application, valid_answers

NO_OPTIONS = "A choice question needs at least one option"


@pytest.fixture
def hr(app, client):
    add_user(app)
    login(client)
    return client


def test_the_editor_refuses_a_required_choice_question_without_options_and_keeps_the_form(app, hr):
    job_id = add_job(app)
    page = hr.get(f"/admin/jobs/{job_id}").text
    response = hr.post(
        f"/admin/jobs/{job_id}/questions",
        data={
            "csrf_token": csrf_token_from(page),
            "label": "Preferred office",
            "kind": "single_select",
            "required": "y",
            "choices_text": " \n",
            "position": "2",
        },
    )
    assert response.status_code == 200
    assert NO_OPTIONS in error_for(response.text, "choices_text")
    assert field_value(response.text, "label") == "Preferred office"
    assert field_value(response.text, "position") == "2"
    assert '<option selected value="single_select">' in response.text
    with app.app_context():
        assert db.session.scalar(select(Question.id).where(Question.job_id == job_id)) is None
    public = app.test_client()
    hidden = open_form(public, job_id)
    assert post_application(public, job_id, hidden, valid_answers()).status_code == 302


def test_the_refused_question_is_added_once_its_options_are_written(app, hr):
    job_id = add_job(app)
    page = hr.get(f"/admin/jobs/{job_id}").text
    question = {"label": "Tools", "kind": "multi_select", "choices_text": ""}
    refused = hr.post(
        f"/admin/jobs/{job_id}/questions", data={"csrf_token": csrf_token_from(page), **question}
    )
    assert NO_OPTIONS in error_for(refused.text, "choices_text")
    again = hr.post(
        f"/admin/jobs/{job_id}/questions",
        data={"csrf_token": csrf_token_from(refused.text), **question, "choices_text": "Git\nSQL"},
    )
    assert again.status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(Question).where(Question.job_id == job_id))
        assert saved.options == ["Git", "SQL"]


def test_the_editor_refuses_turning_a_question_into_a_choice_without_options(app, hr):
    job_id = add_job(app, questions=[{"label": "Notice period", "kind": "short_text", "required": True}])
    with app.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.job_id == job_id))
    edit = hr.get(f"/admin/jobs/{job_id}/questions/{question_id}").text
    response = hr.post(
        f"/admin/jobs/{job_id}/questions/{question_id}",
        data={
            "csrf_token": csrf_token_from(edit),
            "label": "Notice period",
            "kind": "single_select",
            "required": "y",
        },
    )
    assert response.status_code == 200
    assert NO_OPTIONS in error_for(response.text, "choices_text")
    with app.app_context():
        assert db.session.get(Question, question_id).kind == "short_text"


def test_a_question_without_options_that_is_not_a_choice_is_accepted(app, hr):
    job_id = add_job(app)
    page = hr.get(f"/admin/jobs/{job_id}").text
    response = hr.post(
        f"/admin/jobs/{job_id}/questions",
        data={"csrf_token": csrf_token_from(page), "label": "Willing to relocate?", "kind": "yes_no"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Question.kind).where(Question.job_id == job_id)) == "yes_no"


def test_loading_a_job_file_with_a_choice_question_without_options_says_which_and_loads_nothing(
    app, tmp_path
):
    path = tmp_path / "jobs.json"
    path.write_text(
        json.dumps(
            [
                {"ref": "a1", "title": "Welder"},
                {
                    "ref": "a2",
                    "title": "Baker",
                    "questions": [{"label": "Shift", "kind": "single_select", "required": True}],
                },
            ]
        )
    )
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["jobs", "load", str(path)])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert 'job #2: question "Shift" is a choice question with no options' in result.output
        assert db.session.scalar(select(Job.id)) is None


def test_an_expired_add_question_form_comes_back_with_the_question_kept(app, hr):
    job_id = add_job(app)
    response = hr.post(
        f"/admin/jobs/{job_id}/questions",
        data={
            "csrf_token": "expired-token",
            "label": "Preferred office",
            "kind": "single_select",
            "choices_text": "Berlin\nLisbon",
        },
    )
    assert response.status_code == 200 and "Please send the form again" in response.text
    assert field_value(response.text, "label") == "Preferred office"
    assert field_value(response.text, "choices_text") == "Berlin\nLisbon"
    with app.app_context():
        assert db.session.scalar(select(Question.id).where(Question.job_id == job_id)) is None
