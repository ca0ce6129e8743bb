"""A job's custom questions: written on the job page, edited one by one, or added from the
question library (a question or a whole set) in one step."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app import audit
from app.admin import bp
from app.admin.forms import LibraryPickForm, QuestionForm
from app.admin.jobs import job_form, job_or_404, job_page
from app.admin.library import library_pick_form, picked_questions
from app.extensions import csrf, db
from app.models import Question


@bp.post("/jobs/<int:job_id>/questions")
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the question kept
def question_add(job_id: int):
    job = job_or_404(job_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return job_page(job, job_form(job, saved=True), form)
    question = Question(job=job)
    fill_question(question, form)
    db.session.add(question)
    audit.record_change("question_added", question, detail=f"job {job.id}")
    db.session.commit()
    flash("Question added.")
    return redirect(url_for("admin.job_edit", job_id=job.id))


@bp.route("/jobs/<int:job_id>/questions/<int:question_id>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the changes kept
def question_edit(job_id: int, question_id: int):
    question = db.session.get(Question, question_id)
    if question is None or question.job_id != job_id:
        abort(404)
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        form.choices_text.data = "\n".join(question.options or [])
    if form.validate_on_submit():
        fill_question(question, form)
        audit.record_change("question_changed", question, detail=f"job {job_id}")
        db.session.commit()
        flash("Question saved.")
        return redirect(url_for("admin.job_edit", job_id=job_id))
    return render_template("admin/question_form.html", form=form, question=question)


def fill_question(question: Question, form: QuestionForm) -> None:
    question.label = form.label.data.strip()
    question.kind = form.kind.data
    question.required = form.required.data
    question.position = form.position.data or 0
    question.options = form.options()


@bp.post("/jobs/<int:job_id>/questions/from-library")
@csrf.exempt  # the form checks its own token, so an expired one re-renders the job page
def question_add_from_library(job_id: int):
    job = job_or_404(job_id)
    form: LibraryPickForm = library_pick_form()
    picked = picked_questions(form.item.data or "") if form.validate_on_submit() else None
    if picked is None:
        if not form.item.errors and not form.csrf_token.errors:
            form.item.errors = ["Choose a question or a set from the list."]
        return job_page(job, job_form(job, saved=True), library_form=form)
    have = {question.label.strip().casefold() for question in job.questions}
    new = [q for q in picked if q.label.strip().casefold() not in have]
    start = max((question.position for question in job.questions), default=-1) + 1
    for offset, item in enumerate(new):
        job.questions.append(
            Question(
                position=start + offset,
                label=item.label,
                kind=item.kind,
                required=item.required,
                options=list(item.options or []),
            )
        )
    audit.record("question_added", obj_kind="job", obj_id=job.id, detail=f"{len(new)} from the library")
    db.session.commit()
    skipped = len(picked) - len(new)
    flash(f"{len(new)} question(s) added" + (f"; {skipped} the job asks already." if skipped else "."))
    return redirect(url_for("admin.job_edit", job_id=job.id))
