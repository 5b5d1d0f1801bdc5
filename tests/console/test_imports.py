"""Importing customers from the console: an upload starts a job, its progress polls, the rejected rows download."""

from __future__ import annotations

import csv
import io
from typing import Any


def _upload(browser: Any, token: str, text: str) -> Any:
    """The multipart form a browser posts for `<input type="file">`."""
    boundary = "sapa-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="pelanggan.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{text}\r\n--{boundary}--\r\n"
    ).encode()
    headers = browser._headers({"Content-Type": f"multipart/form-data; boundary={boundary}", "Origin": browser.origin})
    return browser._keep(browser.client.http.post("/console/customers/import", body=body, headers=headers))


def _marketer(browser, console_user) -> Any:
    email, _ = console_user("maya", "marketer")
    browser.sign_in(email)
    return browser


def test_an_import_starts_a_job_shows_its_progress_and_the_rejected_rows(browser, console_user, runner) -> None:
    marketer = _marketer(browser, console_user)
    form = marketer.get("/console/customers/import").body.decode()
    token = marketer.csrf("/console/customers/import")
    text = "external_id,name,phone\nK-10,Rina,081355556666\nK-11,=HYPERLINK(1),12\n"

    started = _upload(marketer, token, text)

    assert 'enctype="multipart/form-data"' in form
    assert "/console/customers/import/example.csv" in form
    assert started.status_code == 303
    job_path = started.headers["Location"]
    running = marketer.get(job_path).body.decode()
    assert "<progress" in running
    assert "hx-get" in running
    runner.drain("fan_out_audience")
    partial = marketer.get(job_path, {"HX-Request": "true"}).body.decode()
    assert "<html" not in partial
    assert 'value="2"' in partial
    assert "1 ditolak" in partial
    rejected = marketer.get(job_path + "/rejected.csv")
    [row] = list(csv.DictReader(io.StringIO(rejected.body.decode())))
    assert row["name"] == "'=HYPERLINK(1)"
    assert marketer.get("/customers?q=rina").status_code == 401  # the API wants a token; the console has its cookie
    assert "Rina" in marketer.get("/console/customers?q=rina").body.decode()


def test_the_example_file_names_every_column(browser, console_user) -> None:
    marketer = _marketer(browser, console_user)

    example = marketer.get("/console/customers/import/example.csv")

    assert example.headers["Content-Type"].startswith("text/csv")
    assert example.body.decode().startswith("external_id,name,phone")


def test_an_empty_or_missing_file_says_so(browser, console_user) -> None:
    marketer = _marketer(browser, console_user)
    token = marketer.csrf("/console/customers/import")

    answer = _upload(marketer, token, "")

    assert answer.status_code == 400
    assert "Pilih berkas CSV." in answer.body.decode() or "file" in answer.body.decode()


def test_an_upload_without_csrf_is_refused(browser, console_user) -> None:
    marketer = _marketer(browser, console_user)

    assert _upload(marketer, "not-the-token", "external_id,name\nK-1,Budi\n").status_code == 403


def test_an_unknown_import_is_a_404_page(browser, console_user) -> None:
    marketer = _marketer(browser, console_user)

    assert marketer.get("/console/customers/imports/imp_nothing").status_code == 404


def test_an_agent_may_not_import(browser, console_user) -> None:
    email, _ = console_user("rina", "agent")
    browser.sign_in(email)

    assert browser.get("/console/customers/import").status_code == 403
