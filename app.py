"""Sapa's composition root: the Chalice app, its middleware and one blueprint per context.

Nothing else belongs here. Routes, queue consumers and schedules live in the
blueprints under chalicelib/; their logic lives in plain modules beside them.
"""

from typing import Any

from chalice.app import Chalice, WebsocketEvent

from chalicelib import health_routes, query_params
from chalicelib.access import authorizer
from chalicelib.apidocs import routes as apidocs_routes
from chalicelib.campaigns import routes as campaign_routes
from chalicelib.console import routes as console_routes
from chalicelib.contracts import routes as contract_routes
from chalicelib.core import contract, middleware, settings
from chalicelib.customers import routes as customer_routes
from chalicelib.customers import unsubscribe_routes
from chalicelib.greetings import routes as greeting_routes
from chalicelib.journeys import routes as journey_routes
from chalicelib.outbound import consumers as outbound_consumers
from chalicelib.outbound import routes as outbound_routes
from chalicelib.reminders import routes as reminder_routes
from chalicelib.scrm import routes as scrm_routes
from chalicelib.webchat import routes as webchat_routes
from chalicelib.webchat import widget_routes
from chalicelib.wiring.container import Container

# Powertools owns the "sapa" logger (JSON, masked): Chalice must not add its own handler or level to it.
app = Chalice(app_name="sapa", configure_logs=False)
# Every collaborator of this function is built from here: one AWS session, the system clock, the settings.
app.container = Container.for_process()
# Fail closed at the cold start: a deployed function without its stage, URL, sender or secrets never serves.
settings.current().check_start(lambda: app.container.aws.client("ssm"))

middleware.register(app, query_params.unknown)
app.register_middleware(contract.query_validation(app), "http")

app.register_blueprint(health_routes.bp)
app.register_blueprint(authorizer.bp)
app.register_blueprint(customer_routes.bp)
app.register_blueprint(unsubscribe_routes.bp)
app.register_blueprint(outbound_consumers.bp)
app.register_blueprint(outbound_routes.bp)
app.register_blueprint(greeting_routes.bp)
app.register_blueprint(contract_routes.bp)
app.register_blueprint(campaign_routes.bp)
app.register_blueprint(journey_routes.bp)
app.register_blueprint(reminder_routes.bp)
app.register_blueprint(scrm_routes.bp)
app.register_blueprint(webchat_routes.bp)
app.register_blueprint(apidocs_routes.bp)
app.register_blueprint(console_routes.bp)
app.register_blueprint(widget_routes.bp)

# The website chat's socket (API Gateway WebSocket API). Chalice declares websocket handlers on the app only;
# replies go out through the container's push adapter, not `app.websocket_api` (the sender has no ws event).
app.experimental_feature_flags.update(["WEBSOCKETS"])


@app.on_ws_connect()
def webchat_connect(event: WebsocketEvent) -> dict[str, Any]:
    return webchat_routes.connect(app.container, event)


@app.on_ws_message()
def webchat_message(event: WebsocketEvent) -> dict[str, Any]:
    return webchat_routes.message(app.container, event)


@app.on_ws_disconnect()
def webchat_disconnect(event: WebsocketEvent) -> dict[str, Any]:
    return webchat_routes.disconnect(app.container, event)
