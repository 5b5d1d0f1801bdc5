"""Every customer greeted once, on time, in their zone, on the right channel."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.wiring import customers as customer_deps
from tests.wiring import greetings as deps

ADMIN = {"Authorization": "Bearer test-admin-token"}


def _messages(customer_id: str) -> list[dict]:
    items, _ = customer_deps.message_log().for_customer(customer_id, 50, None)
    return items


def test_the_hourly_run_greets_each_zone_at_eight_in_the_morning_local_time(add_customer) -> None:
    jakarta = add_customer(province="DKI Jakarta")
    makassar = add_customer(province="Sulawesi Selatan")
    jayapura = add_customer(province="Papua")
    service = deps.greeting_service()

    # 23:00 UTC on 14 June is 08:00 on 15 June in Jayapura, still 06:00/07:00 in Jakarta/Makassar.
    early = service.run_hourly(datetime(2027, 6, 14, 23, 0, tzinfo=UTC))
    assert early.birthday == 1
    assert [m["customer_id"] for m in _messages(jayapura["id"])] == [jayapura["id"]]
    assert _messages(jakarta["id"]) == []

    # 01:00 UTC: 08:00 WIB; Makassar (09:00) is caught up, Jayapura is not greeted twice.
    later = service.run_hourly(datetime(2027, 6, 15, 1, 0, tzinfo=UTC))
    assert later.birthday == 2
    assert later.already_greeted == 1
    assert len(_messages(makassar["id"])) == 1
    assert len(_messages(jakarta["id"])) == 1


def test_a_leap_day_birthday_is_greeted_on_28_february_in_other_years(add_customer) -> None:
    leapling = add_customer(birth_date="2000-02-29")

    report = deps.greeting_service().run_date(date(2027, 2, 28), inline_holidays=True)

    assert report.birthday == 1
    assert _messages(leapling["id"])[0]["occasion_date"] == "2027-02-28"


def test_channel_follows_consent_and_text_follows_language(add_customer) -> None:
    whatsapp = add_customer(consents={"whatsapp": ["greetings"]})
    email_only = add_customer(consents={"email": ["greetings"]}, language="en")
    nobody = add_customer(consents={})

    report = deps.greeting_service().run_date(date(2027, 6, 15), inline_holidays=True)

    assert report.birthday == 2
    assert report.telegreeting == 1
    by_whatsapp = _messages(whatsapp["id"])[0]
    by_email = _messages(email_only["id"])[0]
    assert by_whatsapp["channel"] == "whatsapp"
    assert "Selamat ulang tahun" in by_whatsapp["text"]
    assert by_email["channel"] == "email"
    assert by_email["subject"].startswith("Happy birthday")
    calls, _ = deps.call_list().page(date(2027, 6, 15), 50, None)
    assert [c["customer_id"] for c in calls] == [nobody["id"]]
    assert "ulang tahun" in calls[0]["script"]


def test_running_the_same_date_again_sends_nothing_new(api, add_customer) -> None:
    for _ in range(3):
        add_customer()
    add_customer(consents={})

    status, first = api("POST", "/greetings/runs", {"date": "2027-06-15"}, ADMIN)
    _, second = api("POST", "/greetings/runs", {"date": "2027-06-15"}, ADMIN)
    _, totals = api("GET", "/greetings/runs/2027-06-15", None, ADMIN)

    assert status == 200
    assert (first["birthday"], first["telegreeting"]) == (3, 1)
    assert (second["birthday"], second["telegreeting"], second["already_greeted"]) == (0, 0, 4)
    assert totals["birthday"] == 3
    assert totals["telegreeting"] == 1


def test_the_daily_run_reads_about_as_many_customers_as_it_greets(add_customer) -> None:
    for n in range(20):
        add_customer(birth_date=f"1980-04-{n + 1:02d}")
    for _ in range(5):
        add_customer(birth_date="1990-06-15")

    report = deps.greeting_service().run_date(date(2027, 6, 15), inline_holidays=True)

    assert report.birthday == 5
    assert report.items_read == 5


def test_greetings_reach_whatsapp_through_the_pipeline(whatsapp, runner, add_customer) -> None:
    customer = add_customer(name="Siti Rahma", attributes={"vehicle_brand": "Toyota", "vehicle_model": "Avanza"})

    deps.greeting_service().run_date(date(2027, 6, 15), inline_holidays=True)
    runner.drain()

    received = whatsapp.messages()
    assert len(received) == 1
    assert received[0]["template"] == "sapa_ulang_tahun"
    assert received[0]["params"] == ["Siti", "Toyota Avanza"]
    assert _messages(customer["id"])[0]["status"] == "sent"


def test_a_holiday_override_greets_its_audience_once(api, add_customer) -> None:
    muslim = add_customer(birth_date="1990-01-01", attributes={"religion": "islam"})
    other = add_customer(birth_date="1990-01-01", attributes={"religion": "kristen"})
    body = {
        "name": "Idul Fitri",
        "greet": True,
        "key": "idul_fitri",
        "audience": {"field": "religion", "op": "eq", "value": "islam"},
    }

    status, _ = api("PUT", "/holidays/2027-03-11", body, ADMIN)
    _, run = api("POST", "/greetings/runs", {"date": "2027-03-11"}, ADMIN)
    _, again = api("POST", "/greetings/runs", {"date": "2027-03-11"}, ADMIN)

    assert status == 200
    assert run["holiday"] == 1
    assert again["holiday"] == 0
    greeting = _messages(muslim["id"])[0]
    assert "Idul Fitri" in greeting["text"]
    assert _messages(other["id"]) == []


def test_holiday_fan_out_from_the_hourly_run_goes_through_the_queue(aws, add_customer) -> None:
    import json

    from chalicelib.greetings.fanout import process_holiday_job
    from tests.wiring import outbound as outbound_deps

    customer = add_customer(province="DKI Jakarta", birth_date="1990-01-01")
    # 17 August 2027, 01:00 UTC: 08:00 in Jakarta on Hari Kemerdekaan.
    report = deps.greeting_service().run_hourly(datetime(2027, 8, 17, 1, 0, tzinfo=UTC))
    jobs = aws.sqs.receive_message(QueueUrl=outbound_deps.queue_url("fanout"), MaxNumberOfMessages=10)["Messages"]
    for job in jobs:
        process_holiday_job(json.loads(job["Body"]), deps.greeting_service())

    assert report.holiday_jobs >= 4
    texts = [m["text"] for m in _messages(customer["id"])]
    assert any("Dirgahayu" in text for text in texts)


def test_the_calendar_lists_library_dates_and_overrides_with_their_source(api) -> None:
    api("PUT", "/holidays/2027-03-09", {"name": "Idul Fitri", "greet": True, "key": "idul_fitri"}, ADMIN)

    status, calendar = api("GET", "/holidays?year=2027", None, ADMIN)

    assert status == 200
    by_key = {}
    for holiday in calendar["items"]:
        by_key.setdefault(holiday["key"], []).append(holiday)
    assert by_key["natal"][0]["source"] == "library"
    assert by_key["idul_fitri"][0] == {**by_key["idul_fitri"][0], "date": "2027-03-09", "source": "override"}


def test_invalid_holiday_bodies_name_their_fields(api) -> None:
    status, body = api("PUT", "/holidays/2027-02-30", {"greet": "yes", "channels": ["sms"]}, ADMIN)

    assert status == 400
    assert {"name", "greet", "channels"} <= set(body["fields"]) or "date" in body["fields"]


def test_telemarketers_record_call_outcomes(api, staff_token, add_customer) -> None:
    add_customer(consents={})
    api("POST", "/greetings/runs", {"date": "2027-06-15"}, ADMIN)
    agent = staff_token("agent")

    _, calls = api("GET", "/telegreeting?date=2027-06-15", None, agent)
    task = calls["items"][0]
    status, done = api("POST", f"/telegreeting/{task['id']}", {"outcome": "reached", "notes": "senang"}, agent)
    bad, error = api("POST", f"/telegreeting/{task['id']}", {"outcome": "maybe"}, agent)

    assert status == 200
    assert done["status"] == "done"
    assert done["outcome"] == "reached"
    assert bad == 400
    assert "outcome" in error["fields"]
