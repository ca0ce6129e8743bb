"""Every vendor sandbox has the same shape: create_app(config), serve(host, port, config), one
control object at app.extensions["sandbox"], and its control requests under /_sandbox/."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from flask import Flask

import app.ats.sandbox as package
from app.ats.base import AuthError
from app.ats.sandbox.common import SandboxControl
from app.intake.runner import run_steps
from tests.ats.harnesses import all_harnesses, make_submission

MODULES = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name != "common")
SANDBOX_HARNESSES = sorted(kind for kind in all_harnesses() if kind != "local")


def sandbox_module(name: str):
    return importlib.import_module(f"app.ats.sandbox.{name}")


def test_every_vendor_has_a_sandbox_module():
    assert MODULES == ["dover", "greenhouse", "nexivohr", "skailer", "workable"]


@pytest.mark.parametrize("name", MODULES)
def test_every_sandbox_offers_create_app_serve_and_one_control_object(name):
    module = sandbox_module(name)
    assert list(inspect.signature(module.create_app).parameters) == ["config"]
    assert list(inspect.signature(module.serve).parameters) == ["host", "port", "config"]
    app = module.create_app()
    assert isinstance(app, Flask)
    control = app.extensions["sandbox"]
    assert isinstance(control, SandboxControl)
    assert module.sandbox_of(app) is control


@pytest.mark.parametrize("name", MODULES)
def test_control_requests_live_under_one_prefix_and_the_old_one_is_gone(name):
    app = sandbox_module(name).create_app({})
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    assert {"/_sandbox/state", "/_sandbox/faults", "/_sandbox/reset"} <= set(rules)
    assert [r for r in rules if "sandbox" in r and not r.startswith("/_sandbox/")] == []
    assert app.test_client().get("/_sandbox/state").status_code == 200


@pytest.mark.parametrize("name", MODULES)
def test_faults_posted_to_a_sandbox_are_armed_on_its_control_object(name):
    app = sandbox_module(name).create_app({})
    client = app.test_client()
    answer = client.post(
        "/_sandbox/faults",
        json={"error_rate": 0.5, "rate_429": 0.25, "fail_next": {"step": "any_step", "status": 503}},
    )
    assert answer.status_code == 200
    shown = answer.get_json()
    assert (shown["error_rate"], shown["rate_429"]) == (0.5, 0.25)
    assert shown["fail_next"] == {"any_step": [503]}
    faults = app.extensions["sandbox"].faults
    assert (faults.error_rate, faults.rate_429) == (0.5, 0.25)


@pytest.mark.parametrize("kind", SANDBOX_HARNESSES)
def test_a_token_expired_through_the_control_endpoint_is_refused_until_restored(kind):
    harness = all_harnesses()[kind]()
    client = harness.extra["app"].test_client()
    client.post("/_sandbox/faults", json={"expire_token": True})
    with pytest.raises(AuthError):
        run_steps(harness.adapter, make_submission(harness.job_ref), {}, lambda _: None)
    client.post("/_sandbox/faults", json={"expire_token": False})
    run_steps(harness.adapter, make_submission(harness.job_ref), {}, lambda _: None)
    assert harness.sandbox.count_applications("ada@example.com", harness.job_ref) == 1


@pytest.mark.parametrize("kind", SANDBOX_HARNESSES)
def test_a_reset_forgets_what_was_stored_and_disarms_every_fault(kind):
    harness = all_harnesses()[kind]()
    app = harness.extra["app"]
    state = app.extensions["sandbox"].state
    run_steps(harness.adapter, make_submission(harness.job_ref), {}, lambda _: None)
    harness.sandbox.fail_next("any_step", 500)
    client = app.test_client()
    client.post("/_sandbox/faults", json={"error_rate": 1.0})
    answer = client.post("/_sandbox/reset")
    assert answer.status_code == 200 and answer.get_json()["error_rate"] == 0.0
    assert answer.get_json()["fail_next"] == {}
    assert harness.sandbox.count_applications("ada@example.com", harness.job_ref) == 0
    assert app.extensions["sandbox"].state is state
