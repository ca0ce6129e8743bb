"""The question library: questions HR writes once and sets of them ("Engineering basics"),
added to a job in one step. Adding copies them, so a job's questions stay HR's to edit and
changing the library never changes a job candidates may be applying to."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from sqlalchemy import func, select

from app import audit
from app.admin import bp
from app.admin.confirm import confirmed_or_ask
from app.admin.forms import LibraryPickForm, QuestionForm, QuestionSetForm
from app.extensions import csrf, db
from app.models import LibraryQuestion, QuestionSet, QuestionSetItem


def library_questions() -> list[LibraryQuestion]:
    return list(db.session.scalars(select(LibraryQuestion).order_by(LibraryQuestion.label)))


def library_sets() -> list[QuestionSet]:
    return list(db.session.scalars(select(QuestionSet).order_by(QuestionSet.name)))


def library_choices() -> list[tuple[str, str]]:
    """What the job page offers to add: each set, then each question."""
    sets = [(f"set-{s.id}", f"Set: {s.name} ({len(s.items)} questions)") for s in library_sets()]
    questions = [(f"question-{q.id}", q.label) for q in library_questions()]
    return [("", "Choose a question or a set")] + sets + questions


def library_pick_form(**kwargs) -> LibraryPickForm:
    form = LibraryPickForm(**kwargs)
    form.item.choices = library_choices()
    return form


def set_form(**kwargs) -> QuestionSetForm:
    form = QuestionSetForm(**kwargs)
    form.question_ids.choices = [(q.id, q.label) for q in library_questions()]
    return form


def library_page(question_form: QuestionForm | None = None, new_set_form: QuestionSetForm | None = None):
    return render_template(
        "admin/library.html",
        questions=library_questions(),
        sets=library_sets(),
        question_form=question_form or QuestionForm(formdata=None),
        set_form=new_set_form or set_form(formdata=None),
    )


@bp.get("/library")
def library():
    return library_page()


@bp.post("/library/questions")
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the question kept
def library_question_add():
    form = QuestionForm()
    if not form.validate_on_submit():
        return library_page(question_form=form)
    question = LibraryQuestion()
    fill_library_question(question, form)
    db.session.add(question)
    audit.record_change("question_added", question, detail="library")
    db.session.commit()
    flash("Question added to the library.")
    return redirect(url_for("admin.library"))


@bp.route("/library/questions/<int:question_id>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the changes kept
def library_question_edit(question_id: int):
    question = db.get_or_404(LibraryQuestion, question_id)
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        form.choices_text.data = "\n".join(question.options or [])
    if form.validate_on_submit():
        fill_library_question(question, form)
        audit.record_change("question_changed", question, detail="library")
        db.session.commit()
        flash("Library question saved.")
        return redirect(url_for("admin.library"))
    return render_template("admin/library_question.html", form=form, question=question)


def fill_library_question(question: LibraryQuestion, form: QuestionForm) -> None:
    question.label = form.label.data.strip()
    question.kind = form.kind.data
    question.required = form.required.data
    question.options = form.options()


@bp.route("/library/questions/<int:question_id>/delete", methods=["GET", "POST"])
def library_question_delete(question_id: int):
    question = db.get_or_404(LibraryQuestion, question_id)

    def act():
        audit.record("question_removed", obj_kind="library_question", obj_id=question.id, detail="library")
        db.session.delete(question)
        db.session.commit()
        flash("Question removed from the library.")
        return redirect(url_for("admin.library"))

    return confirmed_or_ask(
        act,
        title=f"Remove “{question.label}” from the library?",
        message="It leaves every set it is in. Jobs that already ask it keep their copy.",
        button="Remove from the library",
        back=url_for("admin.library"),
    )


@bp.post("/library/sets")
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the set kept
def library_set_add():
    form = set_form()
    if form.validate_on_submit() and not name_taken(form):
        question_set = QuestionSet(name=form.name.data.strip())
        fill_set(question_set, form)
        db.session.add(question_set)
        audit.record_change("question_set_added", question_set, detail=f"{len(question_set.items)} questions")
        db.session.commit()
        flash("Question set added.")
        return redirect(url_for("admin.library"))
    return library_page(new_set_form=form)


@bp.route("/library/sets/<int:set_id>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so an expired one re-renders with the changes kept
def library_set_edit(set_id: int):
    question_set = db.get_or_404(QuestionSet, set_id)
    form = set_form(obj=question_set)
    if not form.is_submitted():
        form.question_ids.data = [item.question_id for item in question_set.items]
    if form.validate_on_submit() and not name_taken(form, question_set):
        audit.record(
            "question_set_changed", obj_kind="question_set", obj_id=set_id, diff=set_diff(question_set, form)
        )
        question_set.name = form.name.data.strip()
        fill_set(question_set, form)
        db.session.commit()
        flash("Question set saved.")
        return redirect(url_for("admin.library"))
    return render_template("admin/library_set.html", form=form, question_set=question_set)


def name_taken(form: QuestionSetForm, current: QuestionSet | None = None) -> bool:
    """Set names are unique; a clash becomes an error on the name field."""
    name = form.name.data.strip()
    clash = db.session.scalar(select(QuestionSet).where(func.lower(QuestionSet.name) == name.lower()))
    if clash is None or clash is current:
        return False
    form.name.errors = [*form.name.errors, f"A set named “{name}” exists already: choose another name."]
    return True


def set_diff(question_set: QuestionSet, form: QuestionSetForm) -> dict[str, list]:
    """The set's name and question ids as saved and as sent, for the audit log."""
    before = [item.question_id for item in question_set.items]
    return {
        "name": [question_set.name, form.name.data.strip()],
        "questions": [before, list(form.question_ids.data)],
    }


def fill_set(question_set: QuestionSet, form: QuestionSetForm) -> None:
    question_set.items = [
        QuestionSetItem(question_id=question_id, position=position)
        for position, question_id in enumerate(form.question_ids.data)
    ]


@bp.route("/library/sets/<int:set_id>/delete", methods=["GET", "POST"])
def library_set_delete(set_id: int):
    question_set = db.get_or_404(QuestionSet, set_id)

    def act():
        audit.record("question_set_removed", obj_kind="question_set", obj_id=question_set.id)
        db.session.delete(question_set)
        db.session.commit()
        flash("Question set removed; its questions stay in the library.")
        return redirect(url_for("admin.library"))

    return confirmed_or_ask(
        act,
        title=f"Remove the set “{question_set.name}”?",
        message="Only the set goes: its questions stay in the library, and jobs keep theirs.",
        button="Remove the set",
        back=url_for("admin.library"),
    )


def picked_questions(item: str) -> list[LibraryQuestion] | None:
    """The library questions "set-<id>" or "question-<id>" stands for; None for anything else."""
    kind, _, number = item.partition("-")
    if not number.isdigit():
        return None
    if kind == "set":
        question_set = db.session.get(QuestionSet, int(number))
        return question_set.questions if question_set else None
    if kind == "question":
        question = db.session.get(LibraryQuestion, int(number))
        return [question] if question else None
    return None
