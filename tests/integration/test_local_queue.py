"""The built-in local ATS (what `make run` uses) through the form, the real queue and worker."""

from __future__ import annotations

from tests.conftest import add_job
from tests.integration.conftest import on_both_engines


@on_both_engines
def test_a_local_delivery_reaches_the_inbox_through_the_real_queue(careers):
    site = careers({"kind": "local"})
    application_id = site.apply(add_job(site.app))
    delivery = site.wait_for(application_id)
    assert delivery.checkpoints["inbox"] == {"inbox_ref": str(application_id)}
    assert delivery.attempts == 1
