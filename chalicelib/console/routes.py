"""The console's routes. Only this module is imported when the app starts: each handler imports its page.

Console pages have no gateway authorizer: they authenticate with the session
cookie (`console.pages.page`), and API Gateway passes the cookie through.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

bp = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded"]
UPLOAD = ["multipart/form-data"]


@bp.route("/console", methods=["GET"])
def console_home() -> Response:
    from chalicelib.console import signin

    return signin.home(bp)


@bp.route("/console/login", methods=["GET"])
def console_login_form() -> Response:
    from chalicelib.console import signin

    return signin.login_form(bp)


@bp.route("/console/login", methods=["POST"], content_types=FORM)
def console_login() -> Response:
    from chalicelib.console import signin

    return signin.login(bp)


@bp.route("/console/password", methods=["GET"])
def console_password_form() -> Response:
    from chalicelib.console import signin

    return signin.password_form(bp)


@bp.route("/console/password", methods=["POST"], content_types=FORM)
def console_new_password() -> Response:
    from chalicelib.console import signin

    return signin.new_password(bp)


@bp.route("/console/logout", methods=["POST"], content_types=FORM)
def console_logout() -> Response:
    from chalicelib.console import signin

    return signin.logout(bp)


@bp.route("/console/preferences", methods=["POST"], content_types=FORM)
def console_preferences() -> Response:
    from chalicelib.console import signin

    return signin.preferences(bp)


@bp.route("/console/journeys", methods=["GET"])
def console_journeys() -> Response:
    from chalicelib.console import journeys

    return journeys.journeys_page(bp)


@bp.route("/console/journeys/{journey_id}", methods=["GET"])
def console_journey(journey_id: str) -> Response:
    from chalicelib.console import journeys

    return journeys.journey_page(bp, journey_id=journey_id)


@bp.route("/console/leads", methods=["GET"])
def console_leads() -> Response:
    from chalicelib.console import leads

    return leads.leads_page(bp)


@bp.route("/console/customers", methods=["GET"])
def console_customers() -> Response:
    from chalicelib.console import customers

    return customers.customers_page(bp)


@bp.route("/console/customers/export.csv", methods=["GET"])
def console_export_customers() -> Response:
    from chalicelib.console import customers

    return customers.export(bp)


@bp.route("/console/customers/import", methods=["GET"])
def console_customer_import_form() -> Response:
    from chalicelib.console import imports

    return imports.import_form(bp)


@bp.route("/console/customers/import", methods=["POST"], content_types=UPLOAD)
def console_customer_import() -> Response:
    from chalicelib.console import imports

    return imports.start_import(bp)


@bp.route("/console/customers/import/example.csv", methods=["GET"])
def console_customer_import_example() -> Response:
    from chalicelib.console import imports

    return imports.import_example(bp)


@bp.route("/console/customers/imports/{import_id}", methods=["GET"])
def console_customer_import_progress(import_id: str) -> Response:
    from chalicelib.console import imports

    return imports.import_progress(bp, import_id=import_id)


@bp.route("/console/customers/imports/{import_id}/rejected.csv", methods=["GET"])
def console_customer_import_rejected(import_id: str) -> Response:
    from chalicelib.console import imports

    return imports.import_rejected(bp, import_id=import_id)


@bp.route("/console/customers/{customer_id}", methods=["GET"])
def console_customer(customer_id: str) -> Response:
    from chalicelib.console import customers

    return customers.customer_page(bp, customer_id=customer_id)


@bp.route("/console/customers/{customer_id}", methods=["POST"], content_types=FORM)
def console_edit_customer(customer_id: str) -> Response:
    from chalicelib.console import customers

    return customers.edit_customer(bp, customer_id=customer_id)


@bp.route("/console/customers/{customer_id}/consents", methods=["POST"], content_types=FORM)
def console_record_consent(customer_id: str) -> Response:
    from chalicelib.console import customers

    return customers.record_consent(bp, customer_id=customer_id)


@bp.route("/console/customers/{customer_id}/erase", methods=["GET"])
def console_erase_confirm(customer_id: str) -> Response:
    from chalicelib.console import customers

    return customers.erase_confirm(bp, customer_id=customer_id)


@bp.route("/console/customers/{customer_id}/erase", methods=["POST"], content_types=FORM)
def console_erase_customer(customer_id: str) -> Response:
    from chalicelib.console import customers

    return customers.erase(bp, customer_id=customer_id)


@bp.route("/console/inbox", methods=["GET"])
def console_inbox() -> Response:
    from chalicelib.console import inbox

    return inbox.queue_page(bp)


@bp.route("/console/inbox/rows", methods=["GET"])
def console_inbox_rows() -> Response:
    from chalicelib.console import inbox

    return inbox.queue_rows(bp)


@bp.route("/console/inbox/{conversation_id}", methods=["GET"])
def console_conversation(conversation_id: str) -> Response:
    from chalicelib.console import inbox

    return inbox.conversation_page(bp, conversation_id=conversation_id)


@bp.route("/console/inbox/{conversation_id}/reply", methods=["POST"], content_types=FORM)
def console_conversation_reply(conversation_id: str) -> Response:
    from chalicelib.console import inbox

    return inbox.reply(bp, conversation_id=conversation_id)


@bp.route("/console/inbox/{conversation_id}/typing", methods=["POST"], content_types=FORM)
def console_conversation_typing(conversation_id: str) -> Response:
    from chalicelib.console import inbox

    return inbox.typing(bp, conversation_id=conversation_id)


@bp.route("/console/inbox/{conversation_id}/assign", methods=["POST"], content_types=FORM)
def console_conversation_assign(conversation_id: str) -> Response:
    from chalicelib.console import inbox

    return inbox.assign(bp, conversation_id=conversation_id)


@bp.route("/console/inbox/{conversation_id}/resolve", methods=["POST"], content_types=FORM)
def console_conversation_resolve(conversation_id: str) -> Response:
    from chalicelib.console import inbox

    return inbox.resolve(bp, conversation_id=conversation_id)


@bp.route("/console/inbox/{conversation_id}/reopen", methods=["POST"], content_types=FORM)
def console_conversation_reopen(conversation_id: str) -> Response:
    from chalicelib.console import inbox

    return inbox.reopen(bp, conversation_id=conversation_id)


@bp.route("/console/inbox/{conversation_id}/lead", methods=["POST"], content_types=FORM)
def console_conversation_lead(conversation_id: str) -> Response:
    from chalicelib.console import inbox

    return inbox.lead(bp, conversation_id=conversation_id)


@bp.route("/console/inbox/{conversation_id}/link", methods=["POST"], content_types=FORM)
def console_conversation_link(conversation_id: str) -> Response:
    from chalicelib.console import inbox

    return inbox.link(bp, conversation_id=conversation_id)


@bp.route("/console/mail", methods=["GET"])
def console_mail() -> Response:
    from chalicelib.console import mail

    return mail.mail_list(bp)


@bp.route("/console/mail/{mail_id}", methods=["GET"])
def console_mail_message(mail_id: str) -> Response:
    from chalicelib.console import mail

    return mail.mail_page(bp, mail_id=mail_id)


@bp.route("/console/mail/{mail_id}/body", methods=["GET"])
def console_mail_body(mail_id: str) -> Response:
    from chalicelib.console import mail

    return mail.mail_body(bp, mail_id=mail_id)


@bp.route("/console/calls", methods=["GET"])
def console_calls() -> Response:
    from chalicelib.console import calls

    return calls.calls_page(bp)


@bp.route("/console/calls/{task_id}", methods=["POST"], content_types=FORM)
def console_call_attempt(task_id: str) -> Response:
    from chalicelib.console import calls

    return calls.record(bp, task_id=task_id)


@bp.route("/console/greetings", methods=["GET"])
def console_greetings() -> Response:
    from chalicelib.console import greetings

    return greetings.greetings_page(bp)


@bp.route("/console/greetings/holidays", methods=["POST"], content_types=FORM)
def console_holiday_add() -> Response:
    from chalicelib.console import greetings

    return greetings.add_holiday(bp)


@bp.route("/console/greetings/holidays/{day}", methods=["POST"], content_types=FORM)
def console_holiday_save(day: str) -> Response:
    from chalicelib.console import greetings

    return greetings.save_holiday(bp, day=day)


@bp.route("/console/greetings/holidays/{day}/cancel", methods=["POST"], content_types=FORM)
def console_holiday_cancel(day: str) -> Response:
    from chalicelib.console import greetings

    return greetings.cancel_holiday(bp, day=day)


@bp.route("/console/campaigns", methods=["GET"])
def console_campaigns() -> Response:
    from chalicelib.console import campaigns

    return campaigns.campaigns_page(bp)


@bp.route("/console/campaigns/new", methods=["GET"])
def console_campaign_new() -> Response:
    from chalicelib.console import campaigns

    return campaigns.campaign_new(bp)


@bp.route("/console/campaigns/new", methods=["POST"], content_types=FORM)
def console_campaign_create() -> Response:
    from chalicelib.console import campaigns

    return campaigns.campaign_create(bp)


@bp.route("/console/campaigns/preview", methods=["POST"], content_types=FORM)
def console_campaign_preview() -> Response:
    from chalicelib.console import campaigns

    return campaigns.campaign_preview(bp)


@bp.route("/console/campaigns/{campaign_id}", methods=["GET"])
def console_campaign(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.campaign_page(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/funnel", methods=["GET"])
def console_campaign_funnel(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.campaign_funnel(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/template", methods=["GET"])
def console_campaign_template(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.template_form(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/template", methods=["POST"], content_types=FORM)
def console_campaign_template_save(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.template_save(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/audience", methods=["GET"])
def console_campaign_audience(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.audience_form(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/audience", methods=["POST"], content_types=FORM)
def console_campaign_audience_save(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.audience_save(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/audience/count", methods=["POST"], content_types=FORM)
def console_campaign_audience_count(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.audience_count(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/schedule", methods=["GET"])
def console_campaign_schedule(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.schedule_form(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/review", methods=["GET"])
def console_campaign_review(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.review(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/send", methods=["POST"], content_types=FORM)
def console_campaign_send(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.send(bp, campaign_id=campaign_id)


@bp.route("/console/campaigns/{campaign_id}/pause", methods=["POST"], content_types=FORM)
def console_campaign_pause(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.change(bp, campaign_id=campaign_id, action="pause")


@bp.route("/console/campaigns/{campaign_id}/resume", methods=["POST"], content_types=FORM)
def console_campaign_resume(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.change(bp, campaign_id=campaign_id, action="resume")


@bp.route("/console/campaigns/{campaign_id}/cancel", methods=["POST"], content_types=FORM)
def console_campaign_cancel(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.change(bp, campaign_id=campaign_id, action="cancel")


@bp.route("/console/campaigns/{campaign_id}/retry-failed", methods=["POST"], content_types=FORM)
def console_campaign_retry(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.change(bp, campaign_id=campaign_id, action="retry-failed")


@bp.route("/console/campaigns/{campaign_id}/recipients.csv", methods=["GET"])
def console_campaign_recipients(campaign_id: str) -> Response:
    from chalicelib.console import campaigns

    return campaigns.export_recipients(bp, campaign_id=campaign_id)


@bp.route("/console/static/{name}", methods=["GET"])
def console_static(name: str) -> Response:
    from chalicelib.console import assets

    return assets.serve(name, bp.current_app.container.settings.is_local)


# -- the outbound halt (every page's header), reports and the admin page --------------------------------------------
@bp.route("/console/outbound/halt", methods=["POST"], content_types=FORM)
def console_outbound_halt() -> Response:
    from chalicelib.console import outbound

    return outbound.halt(bp)


@bp.route("/console/outbound/resume", methods=["POST"], content_types=FORM)
def console_outbound_resume() -> Response:
    from chalicelib.console import outbound

    return outbound.resume(bp)


@bp.route("/console/reports", methods=["GET"])
def console_reports() -> Response:
    from chalicelib.console import reports

    return reports.reports_page(bp)


@bp.route("/console/reminders", methods=["GET"])
def console_reminders() -> Response:
    from chalicelib.console import reminders

    return reminders.reminders_page(bp)


@bp.route("/console/reports/{chart}", methods=["GET"])
def console_report_csv(chart: str) -> Response:
    from chalicelib.console import reports

    return reports.chart_csv(bp, chart=chart)


@bp.route("/console/admin", methods=["GET"])
def console_admin() -> Response:
    from chalicelib.console import admin

    return admin.admin_page(bp)


@bp.route("/console/admin/contact-policy", methods=["POST"], content_types=FORM)
def console_admin_contact_policy() -> Response:
    from chalicelib.console import admin

    return admin.save_policy(bp)
