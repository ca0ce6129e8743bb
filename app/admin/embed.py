"""The snippets HR gives a web team to embed the job board or one job's form on their site."""

from __future__ import annotations

from flask import render_template

from app.admin import bp
from app.extensions import db
from app.hosts import public_url
from app.intake.listing import open_jobs
from app.models import Job, utcnow
from app.settings import current as current_settings


def snippet(job_id: int | None = None) -> str:
    script = public_url("static", filename="embed.js")
    job = f' data-job="{job_id}"' if job_id is not None else ""
    return f'<div data-careers-embed{job}></div>\n<script src="{script}" async></script>'


@bp.get("/embed")
def embed_snippets():
    jobs = db.session.scalars(open_jobs(utcnow()).order_by(Job.title)).all()
    return render_template(
        "admin/embed.html",
        board=snippet(),
        jobs=[(j, snippet(j.id)) for j in jobs],
        origins=current_settings().embed_origins,
    )
