"""A change saved through one process is in effect in every other on the same database, from
its next request, with no restart: two apps here stand for two web (or worker) processes."""

from __future__ import annotations

from app import create_app
from app.extensions import db
from tests.conftest import add_job, app_config
from tests.web.settings_support import branding, post_form, signed_in


def test_a_change_saved_in_one_process_is_in_effect_in_another_without_restart(make_app, tmp_path):
    first = make_app()
    other = create_app(app_config(tmp_path, PAGE_CACHE_SECONDS=0))  # the same database file
    job_id = add_job(first)
    try:
        visitor = other.test_client()
        embed = f"/embed/jobs/{job_id}/apply?origin=https://corp.example"
        assert visitor.get(embed).status_code == 403  # not allowed yet: our message, not the form
        assert "Example Corp careers" in visitor.get("/jobs").text

        admin = signed_in(first)
        post_form(admin, "/admin/settings/embed", {"origins": "https://corp.example"})
        post_form(admin, "/admin/settings/branding", branding(company_name="Acme Robotics"))

        assert (
            visitor.get(embed)
            .headers["Content-Security-Policy"]
            .endswith("frame-ancestors https://corp.example")
        )
        assert "Acme Robotics careers" in visitor.get("/jobs").text
    finally:
        with other.app_context():
            db.engine.dispose()
