"""How a handler reaches its function's collaborators: the container app.py installs on the app.

Each Lambda function (and the local stack, and each test) builds one
`chalicelib.wiring.Container` from its AWS session, its clock and its
settings, and sets it as `app.container`. Handlers ask for it through their
blueprint, so no handler builds a collaborator itself and none reaches a
module-level singleton.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # pragma: no cover - typing only: core does not import the wiring
    from chalicelib.wiring.container import Container


def wired(blueprint: Any) -> Container:
    """The container of the app this blueprint is registered on."""
    return cast("Container", blueprint.current_app.container)
