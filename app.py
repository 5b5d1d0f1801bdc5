"""Sapa's composition root: the Chalice app, its middleware and one blueprint per context.

Nothing else belongs here. Routes, queue consumers and schedules live in the
blueprints under chalicelib/; their logic lives in plain modules beside them.
"""

from chalice.app import Chalice

from chalicelib import health_routes
from chalicelib.core import middleware

app = Chalice(app_name="sapa")

middleware.register(app)

app.register_blueprint(health_routes.bp)
