"""A short version of `make soak` (60 s, 200 connections): load on loopback, no errors."""

import os
import shutil

import pytest

from bench.soak import soak


@pytest.mark.slow
def test_soak_smoke_has_no_errors_and_no_growth() -> None:
    if shutil.which("wrk") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("wrk is not installed; .ci/run installs it")
        pytest.skip("wrk is not installed (apt-get install wrk)")
    result = soak(seconds=6, connections=50, workers=1)
    assert result.requests > 1000, result
    assert result.ok, result
