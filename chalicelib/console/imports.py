"""Importing customers from the console: upload a CSV, watch the job's progress, download the rejected rows.

The upload starts the same import job as `POST /customers/imports` (the CSV
kept in the payloads bucket, imported in chunks on a queue), so a large file
never meets the API's 30-second limit and the rules of every import hold: an
empty consent cell changes nothing, and a withdrawal the customer gave is
never undone by a file.
"""

from __future__ import annotations

from chalice.app import Response

from chalicelib.access.roles import Permission
from chalicelib.console import i18n
from chalicelib.console.pages import FormInvalid, Visit, page


def _file(visit: Visit, text: str, filename: str) -> Response:
    return visit.respond(
        text,
        200,
        {"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _form(visit: Visit, status: int = 200, problems: dict[str, str] | None = None) -> Response:
    return visit.render("customer_import.html", status=status, section="customers", problems=problems or {})


@page(Permission.CUSTOMERS_WRITE)
def import_form(visit: Visit) -> Response:
    return _form(visit)


@page(Permission.CUSTOMERS_WRITE)
def start_import(visit: Visit) -> Response:
    from chalicelib.customers.csv_rows import InvalidCsv
    from chalicelib.customers.service import Actor

    translate = i18n.gettext(visit.language)
    try:
        upload = visit.files().get("file")
    except FormInvalid as invalid:
        return _form(visit, 400, invalid.problems)
    if not upload or not upload[1].strip():
        return _form(visit, 400, {"file": translate("Choose a CSV file.")})
    assert visit.session is not None
    try:
        job = visit.container.customers.imports().start(upload[1], Actor(visit.session.name, "import"))
    except UnicodeDecodeError:
        return _form(visit, 400, {"file": translate("The file is not UTF-8 text; save it as CSV UTF-8.")})
    except InvalidCsv as error:
        return _form(visit, 400, dict(error.fields))
    return visit.redirect(f"/console/customers/imports/{job['id']}")


def _no_import(visit: Visit) -> Response:
    translate = i18n.gettext(visit.language)
    return visit.refuse(404, translate("Not found"), translate("There is no such import."))


@page(Permission.CUSTOMERS_WRITE)
def import_progress(visit: Visit, import_id: str) -> Response:
    """The job's page; htmx polls its progress partial every 2 s until the job is done."""
    from chalicelib.customers.imports import ImportNotFound

    try:
        job = visit.container.customers.imports().progress(import_id)
    except ImportNotFound:
        return _no_import(visit)
    template = "_customer_import_progress.html" if visit.is_htmx else "customer_import_job.html"
    return visit.render(template, section="customers", job=job)


@page(Permission.CUSTOMERS_WRITE)
def import_rejected(visit: Visit, import_id: str) -> Response:
    from chalicelib.customers.imports import ImportNotFound

    try:
        text = visit.container.customers.imports().rejected_csv(import_id)
    except ImportNotFound:
        return _no_import(visit)
    return _file(visit, text, f"rejected-{import_id}.csv")


@page(Permission.CUSTOMERS_READ)
def import_example(visit: Visit) -> Response:
    from chalicelib.customers.imports import EXAMPLE_CSV

    return _file(visit, EXAMPLE_CSV, "sapa-customers-example.csv")
