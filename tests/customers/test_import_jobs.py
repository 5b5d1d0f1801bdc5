"""Import jobs: a file imported in chunks behind the API, its progress, its rejected rows, counted once."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from chalicelib.customers import imports as imports_module

ADMIN = {"Authorization": "Bearer test-admin-token"}
CSV = (
    "external_id,name,phone,email,birth_date,province,consent_whatsapp,consent_email,vehicle_brand\n"
    "K-1,Siti Rahma,0812-1111-2222,siti@contoh.co.id,1990-01-05,Bali,greetings;promotions,,Daihatsu\n"
    "K-2,Agus,+62 813 2222 3333,,1980-07-17,Papua,greetings,,Toyota\n"
    'K-3,=HYPERLINK("http://x"),12,dewi@contoh.co.id,1979-13-01,Jawa Barat,,greetings,Toyota\n'
    "\n"
    'K-4,"Andi\nBaris Dua",6281344445555,andi@contoh,1991-02-02,DKI Jakarta,,,Toyota\n'
    "K-5,Rina,081355556666,,1992-03-03,Jawa Barat,greetings,,Honda\n"
)


def _start(client: Any, body: str) -> tuple[int, Any, Any]:
    response = client.http.post("/customers/imports", body=body, headers={**ADMIN, "Content-Type": "text/csv"})
    return response.status_code, json.loads(response.body), response.headers


def _progress(api: Any, job_id: str) -> dict[str, Any]:
    status, body = api("GET", f"/customers/imports/{job_id}", None, ADMIN)
    assert status == 200
    return body


@pytest.fixture
def small_chunks(monkeypatch) -> None:
    monkeypatch.setattr(imports_module, "CHUNK_ROWS", 2)


def test_a_job_imports_the_file_in_chunks_and_reports_its_progress(client, api, runner, small_chunks) -> None:
    status, job, headers = _start(client, CSV)

    assert status == 202
    assert headers["Location"] == f"/customers/imports/{job['id']}"
    assert (job["status"], job["rows_total"], job["rows_done"]) == ("running", 5, 0)

    runner.drain("fan_out_audience")

    done = _progress(api, job["id"])
    assert done["status"] == "done"
    assert (done["rows_done"], done["created"], done["rejected"]) == (5, 3, 2)
    _, found = api("GET", "/customers?external_id=K-5", None, ADMIN)
    assert found["items"][0]["name"] == "Rina"


def test_the_rejected_rows_come_back_with_their_row_numbers_reasons_and_cells_made_safe(
    client, api, runner, small_chunks
) -> None:
    _, job, _ = _start(client, CSV)
    runner.drain("fan_out_audience")

    answer = client.http.get(f"/customers/imports/{job['id']}/rejected.csv", headers=ADMIN)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert [row["row"] for row in rows] == ["4", "6"]  # the blank row 5 is counted, as a spreadsheet shows it
    assert "phone" in rows[0]["reasons"]
    assert "birth_date" in rows[0]["reasons"]
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'
    assert rows[1]["name"] == "Andi\nBaris Dua"
    assert "email" in rows[1]["reasons"]


def test_a_chunk_delivered_twice_is_counted_once(client, api, runner, small_chunks, app) -> None:
    from tests import wired

    _, job, _ = _start(client, CSV)
    runner.drain("fan_out_audience")
    imports = wired.customers.imports()

    again = imports.run_chunk({"kind": "customer_import", "import_id": job["id"], "chunk": 0})

    assert again == {"skipped": "no running job"}
    assert _progress(api, job["id"])["rows_done"] == 5


def test_a_chunk_retried_after_it_was_counted_adds_nothing_and_queues_the_next_again(
    client, api, app, small_chunks
) -> None:
    from tests import wired

    _, job, _ = _start(client, CSV)
    imports = wired.customers.imports()
    sent: list[Any] = []
    imports.enqueue = sent.extend  # the next chunks are run by hand here

    first = imports.run_chunk({"import_id": job["id"], "chunk": 0})
    duplicate = imports.run_chunk({"import_id": job["id"], "chunk": 0})

    assert first["rows_done"] == 2
    assert duplicate == {"skipped": "chunk already counted"}
    assert [m["chunk"] for m in sent] == [1, 1]
    assert _progress(api, job["id"])["rows_done"] == 2


def test_two_runs_of_one_chunk_racing_count_it_once(client, api, app) -> None:
    from datetime import UTC, datetime

    from tests import wired

    _, job, _ = _start(client, CSV)
    jobs = wired.customers.imports().jobs
    now = datetime.now(UTC)

    won = jobs.advance(job["id"], 0, {"rows_done": 5, "created": 3}, 10, 7, False, False, now)
    lost = jobs.advance(job["id"], 0, {"rows_done": 5, "created": 3}, 10, 7, False, False, now)

    assert (won, lost) == (True, False)
    assert _progress(api, job["id"])["created"] == 3


def test_a_bulk_import_job_never_undoes_a_withdrawal(client, api, runner, customer_data) -> None:
    _, made = api("POST", "/customers", customer_data("K-1", phone="0812-1111-2222"), ADMIN)
    api(
        "POST",
        f"/customers/{made['id']}/consents",
        {"channel": "whatsapp", "purposes": ["promotions"], "granted": False, "evidence": "called the hotline"},
        ADMIN,
    )

    _, job, _ = _start(client, CSV)
    runner.drain("fan_out_audience")

    _, after = api("GET", f"/customers/{made['id']}", None, ADMIN)
    assert "promotions" not in after["consents"]["whatsapp"]
    assert _progress(api, job["id"])["consent_kept_withdrawn"] == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [("name,phone\nBudi,0812\n", 400), ("", 400)],
)
def test_a_file_that_cannot_be_imported_is_refused_before_a_job_starts(client, body, status) -> None:
    code, answer, _ = _start(client, body)

    assert code == status
    assert answer["fields"]


def test_a_file_that_is_not_utf8_is_refused(client) -> None:
    response = client.http.post(
        "/customers/imports",
        body="external_id,name\nK-1,Andr\xe9\n".encode("latin-1"),
        headers={**ADMIN, "Content-Type": "text/csv"},
    )

    assert response.status_code == 415


def test_an_unknown_job_is_a_404(api) -> None:
    assert api("GET", "/customers/imports/imp_nothing", None, ADMIN)[0] == 404
    assert api("GET", "/customers/imports/imp_nothing/rejected.csv", None, ADMIN)[0] == 404


def test_the_example_file_has_every_column_and_imports_cleanly(client, api, runner) -> None:
    example = client.http.get("/customers/import/example.csv", headers=ADMIN)
    assert example.status_code == 200
    header = example.body.decode().splitlines()[0].split(",")
    assert {"external_id", "name", "phone", "email", "birth_date", "province", "city", "timezone", "language"} <= set(
        header
    )
    assert {"consent_whatsapp", "consent_email"} <= set(header)

    _, job, _ = _start(client, example.body.decode())
    runner.drain("fan_out_audience")

    done = _progress(api, job["id"])
    assert (done["created"], done["rejected"]) == (3, 0)


def test_a_viewer_may_not_start_an_import(client, staff_token) -> None:
    response = client.http.post(
        "/customers/imports", body=CSV, headers={**staff_token("viewer"), "Content-Type": "text/csv"}
    )

    assert response.status_code == 403
