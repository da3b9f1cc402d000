"""``lobbot bench engine`` runs real reflections and reports its measurements as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flows.bank import ERVARINGEN

LOBBOT = Path(sys.executable).with_name("lobbot")


def test_bench_engine_prints_json_about_real_work(db_url: str, cli_env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(LOBBOT), "bench", "engine", "--students", "14"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["students"] == 14 and db_url.startswith(report["database"])
    # two students per experience type, each answering every question that applies
    assert report["answers_stored"] >= 14 * 13 and report["turns"] > report["answers_stored"]
    assert len(ERVARINGEN) == 7
    assert report["turns_per_second"] > 0 and report["peak_rss_mb"] > 0
    assert (
        0
        < report["latency_ms"]["p50"]
        <= report["latency_ms"]["p99"]
        <= report["latency_ms"]["max"]
    )
