"""The confirmation step of a destructive action: a page with one button that sends the same
POST again with `confirm=yes`. Works without script; a bare POST changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from flask import render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.admin.forms import ConfirmForm


def confirmed_or_ask(act: Callable[[], BaseResponse], back: str | None = None, **page) -> BaseResponse | str:
    """Run `act` when the confirmation was given; otherwise show the confirmation page, with
    `back` (the jobs by default) as its way out."""
    if request.method == "POST" and ConfirmForm().confirmed():
        return act()
    form = ConfirmForm(formdata=None)
    back = back or url_for("admin.jobs")
    return render_template("admin/confirm.html", form=form, action_url=request.path, back=back, **page)
