"""Concurrency and durability of survey storage, against `ecekit serve` in a subprocess."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from ecekit import operations as ops
from ecekit.server.embedded import running_server, start_server
from ecekit.server.store import count_rows
from tests.server.helpers import SURVEY_TYPE, survey_xml

pytestmark = pytest.mark.slow
CLIENTS, TOTAL = 20, 5000


def test_20_clients_5000_surveys_all_204_and_5000_rows(tmp_path: Path) -> None:
    db = tmp_path / "surveys.sqlite3"
    with running_server(surveys_db=db, subprocess=True) as srv:
        target = srv.base_url + ops.SURVEY.path

        def client(n: int) -> list[int]:
            with requests.Session() as http:
                return [http.post(target, data=survey_xml(sid=f"c{n}-{i}"), headers=SURVEY_TYPE,
                                  timeout=10).status_code for i in range(TOTAL // CLIENTS)]

        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = [s for batch in pool.map(client, range(CLIENTS)) for s in batch]
    assert statuses.count(204) == TOTAL
    assert count_rows(db) == TOTAL
    assert srv.process is not None
    assert srv.process.returncode == 0  # SIGTERM: clean shutdown
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed and closed


def test_sigkill_mid_run_loses_no_acknowledged_survey(tmp_path: Path) -> None:
    db = tmp_path / "surveys.sqlite3"
    srv = start_server(surveys_db=db, subprocess=True)
    target = srv.base_url + ops.SURVEY.path
    acked: list[str] = []
    lock, stop = threading.Lock(), threading.Event()

    def client(n: int) -> None:
        with requests.Session() as http:
            for i in range(TOTAL):
                if stop.is_set():
                    return
                sid = f"k{n}-{i}"
                try:
                    response = http.post(target, data=survey_xml(sid=sid), headers=SURVEY_TYPE, timeout=5)
                except requests.RequestException:
                    return
                if response.status_code == 204:
                    with lock:
                        acked.append(sid)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(acked) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    srv.kill()  # SIGKILL in the middle of the run
    stop.set()
    for t in threads:
        t.join(10)
    assert len(acked) >= 300
    with running_server(surveys_db=db, subprocess=True, admin=True) as again:
        count = requests.get(again.admin_url + "/surveys", timeout=5).json()["count"]
    assert count >= len(acked)
    assert count <= len(acked) + CLIENTS  # at most the in-flight ones were stored unacknowledged
    stored = {row[0] for row in sqlite3.connect(db).execute("SELECT sid FROM surveys")}
    assert set(acked) <= stored
