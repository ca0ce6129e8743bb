"""Every ATS harness in tests/ats/harnesses/ runs the same contract tests."""

from __future__ import annotations

import pytest

from tests.ats.harnesses import all_harnesses

HARNESSES = all_harnesses()


@pytest.fixture(params=sorted(HARNESSES))
def harness(request):
    return HARNESSES[request.param]()


@pytest.fixture
def make_harness():
    """For tests parametrised by harness kind and step: build the named harness fresh."""
    return lambda kind: HARNESSES[kind]()
