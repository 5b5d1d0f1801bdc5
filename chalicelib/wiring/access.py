"""The access context's collaborators: staff of both kinds, Cognito, console sessions and the roster.

The user pool and its app client come from `SAPA_COGNITO_USER_POOL_ID` and
`SAPA_COGNITO_CLIENT_ID` (the deployed template sets them); on the local stage,
where moto gives the pool a new id at each bootstrap, they are found by the
names the bootstrap gives them, once per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.access.cognito import CLIENT_NAME, POOL_NAME, CognitoStaff
from chalicelib.access.directory import StaffDirectory
from chalicelib.access.roster import StaffRoster
from chalicelib.access.sessions import SessionStore, SignInChallenges
from chalicelib.access.throttle import SignInThrottle
from chalicelib.access.tokens import StaffStore
from chalicelib.core.settings import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.access.jwt_tokens import CognitoTokenVerifier
    from chalicelib.wiring.container import Container


class AccessWiring:
    def __init__(self, root: Container) -> None:
        self.root = root

    def staff(self) -> StaffStore:
        return StaffStore(self.root.table("access"))

    def sessions(self) -> SessionStore:
        return SessionStore(self.root.table("access"))

    def challenges(self) -> SignInChallenges:
        return SignInChallenges(self.root.table("access"))

    def throttle(self) -> SignInThrottle:
        return SignInThrottle(self.root.table("access"), self.root.now)

    def roster(self) -> StaffRoster:
        def members() -> Iterator[tuple[str, str]]:
            return ((str(m["name"]), str(m["role"])) for m in self.staff().list())

        return StaffRoster(members, self.sessions(), self.root.now)

    def directory(self) -> StaffDirectory:
        return StaffDirectory(self.staff(), self.cognito, self.sessions(), self.root.now)

    # -- Cognito ---------------------------------------------------------------------------------------------------
    @cached_property
    def pool(self) -> tuple[str, str]:
        """(user pool id, app client id)."""
        settings = self.root.settings
        pool_id, client_id = settings.options.cognito_user_pool_id, settings.options.cognito_client_id
        if pool_id and client_id:
            return pool_id, client_id
        if not settings.is_local:
            raise ConfigurationError(
                "SAPA_COGNITO_USER_POOL_ID and SAPA_COGNITO_CLIENT_ID are required outside the local stage"
            )
        return _find_pool(self.root.aws.client("cognito-idp"), settings.stage)

    def cognito(self) -> CognitoStaff:
        pool_id, client_id = self.pool
        return CognitoStaff(self.root.aws.client("cognito-idp"), pool_id, client_id)

    @cached_property
    def token_verifier(self) -> CognitoTokenVerifier:
        """One per process: it caches the pool's signing keys."""
        from chalicelib.access.jwt_tokens import CognitoTokenVerifier, cognito_issuer, http_jwks, jwks_url

        pool_id, client_id = self.pool
        region = str(self.root.aws.session.region_name)
        endpoint = self.root.settings.environ.get("AWS_ENDPOINT_URL") if self.root.settings.is_local else None
        return CognitoTokenVerifier(
            cognito_issuer(region, pool_id), client_id, http_jwks(jwks_url(region, pool_id, endpoint))
        )


def _find_pool(client: Any, stage: str) -> tuple[str, str]:
    pool_name, client_name = POOL_NAME.format(stage=stage), CLIENT_NAME.format(stage=stage)
    pools = [p for p in client.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == pool_name]
    if not pools:
        raise ConfigurationError(f"No Cognito user pool {pool_name!r}: run the local stack's bootstrap")
    clients = client.list_user_pool_clients(UserPoolId=pools[0]["Id"], MaxResults=60)["UserPoolClients"]
    found = [c["ClientId"] for c in clients if c["ClientName"] == client_name]
    if not found:
        raise ConfigurationError(f"No app client {client_name!r} in {pool_name!r}")
    return str(pools[0]["Id"]), str(found[0])
