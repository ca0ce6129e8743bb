"""The registry: one entry per vendor module, each module declaring its own request budget."""

from __future__ import annotations

import pytest

from app.ats.base import QuestionSource
from app.ats.registry import VENDORS, rate_limit, shared_limiter
from tests.ats.conftest import HARNESSES


@pytest.mark.parametrize(
    "kind,budget",
    [
        ("skailer", (100, 60.0)),
        ("workable", (10, 10.0)),
        ("greenhouse", (50, 10.0)),
        ("nexivohr", (60, 60.0)),
    ],
)
def test_the_shared_limiter_keeps_the_budget_the_vendor_module_declares(kind, budget, tmp_path):
    limiter = shared_limiter({"kind": kind, "base_url": "https://t.example"}, str(tmp_path / "rl.db"))
    assert (limiter.limit, limiter.window) == budget
    declared = VENDORS[kind].rate_limit
    assert declared is not None and (declared.requests, declared.seconds) == budget


def test_vendors_that_document_no_budget_get_no_shared_limiter_unless_configured(tmp_path):
    path = str(tmp_path / "rl.db")
    assert shared_limiter({"kind": "dover"}, path) is None
    assert shared_limiter({"kind": "local"}, path) is None
    configured = shared_limiter({"kind": "dover", "rate_limit_per_minute": 30}, path)
    assert (configured.limit, configured.window) == (30, 60.0)
    assert rate_limit({"kind": "unknown"}) is None


def test_only_the_adapters_that_hold_questions_offer_them():
    offering = {kind for kind, make in HARNESSES.items() if isinstance(make().adapter, QuestionSource)}
    assert offering == {"workable", "greenhouse_jobboard"}
