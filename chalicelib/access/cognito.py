"""Staff identities in an Amazon Cognito user pool: sign-in, the first new password, and the admin calls.

A thin adapter over the `cognito-idp` client it is given. Each staff member is
one Cognito user whose username is their Sapa name (the handle audit entries
and assignments use), with their e-mail as an attribute and their role as the
one Cognito group they belong to. Sign-in is by e-mail: the adapter finds the
username first, so the same code runs on Cognito and on moto's cognito-idp.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

POOL_NAME = "sapa-{stage}-staff"
CLIENT_NAME = "sapa-{stage}-console"
PASSWORD_POLICY = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
"""The pool's password rules, for the template and the local bootstrap alike."""
CLIENT_FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
"""The console signs in server-side (admin flow); API clients may sign in with USER_PASSWORD_AUTH."""
ACCESS_TOKEN_MINUTES = 60


class WrongCredentials(Exception):
    """E-mail or password did not match: deliberately not saying which."""


class PasswordRejected(ValueError):
    """Cognito's password policy refused the new password; the message says why."""


class UnknownStaffUser(LookupError):
    pass


class StaffUserExists(ValueError):
    pass


@dataclass(frozen=True)
class SignedIn:
    username: str
    groups: tuple[str, ...]
    access_token: str


@dataclass(frozen=True)
class NewPasswordRequired:
    username: str
    session: str


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def temporary_password() -> str:
    """Meets Cognito's default policy: 8+ characters with upper, lower, digit and symbol."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(14))
    return f"{core}A7a!"


class CognitoStaff:
    def __init__(self, client: Any, pool_id: str, client_id: str) -> None:
        self.client = client
        self.pool_id = pool_id
        self.client_id = client_id

    # -- signing in ----------------------------------------------------------------------------------------------
    def username_for(self, email: str) -> str | None:
        """The username of the user with this e-mail (the caller has checked its shape: no quotes)."""
        found = self.client.list_users(UserPoolId=self.pool_id, Filter=f'email = "{email}"', Limit=2)["Users"]
        return str(found[0]["Username"]) if len(found) == 1 else None

    def sign_in(self, email: str, password: str) -> SignedIn | NewPasswordRequired:
        username = self.username_for(email)
        if username is None:
            raise WrongCredentials()
        try:
            answer = self.client.admin_initiate_auth(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as error:
            if _code(error) in ("NotAuthorizedException", "UserNotFoundException", "PasswordResetRequiredException"):
                raise WrongCredentials() from None
            raise
        return self._answer(username, answer)

    def complete_new_password(self, username: str, session: str, new_password: str) -> SignedIn | NewPasswordRequired:
        try:
            answer = self.client.admin_respond_to_auth_challenge(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=session,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        except ClientError as error:
            if _code(error) in ("InvalidPasswordException", "InvalidParameterException"):
                raise PasswordRejected(str(error.response["Error"].get("Message") or "password refused")) from None
            if _code(error) in ("NotAuthorizedException", "CodeMismatchException", "ExpiredCodeException"):
                raise WrongCredentials() from None
            if _code(error) == "ResourceNotFoundException":
                raise WrongCredentials() from None
            raise
        return self._answer(username, answer)

    def _answer(self, username: str, answer: dict[str, Any]) -> SignedIn | NewPasswordRequired:
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            return NewPasswordRequired(username, str(answer["Session"]))
        if "AuthenticationResult" not in answer:
            raise WrongCredentials()  # a challenge Sapa does not offer (MFA setup is configured in the pool)
        return SignedIn(username, tuple(self.groups(username)), str(answer["AuthenticationResult"]["AccessToken"]))

    def sign_out(self, username: str) -> None:
        """Revokes every refresh token Cognito issued this user (the console's session is closed by the caller)."""
        try:
            self.client.admin_user_global_sign_out(UserPoolId=self.pool_id, Username=username)
        except ClientError as error:
            if _code(error) != "UserNotFoundException":
                raise

    # -- administering -------------------------------------------------------------------------------------------
    def create(self, username: str, email: str, name: str, group: str, password: str | None) -> str | None:
        """Creates the user in the group; returns the temporary password, or None when `password` is permanent."""
        if self.username_for(email) is not None:
            raise StaffUserExists(email)
        temporary = temporary_password()
        try:
            self.client.admin_create_user(
                UserPoolId=self.pool_id,
                Username=username,
                TemporaryPassword=temporary,
                MessageAction="SUPPRESS",
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "name", "Value": name},
                ],
            )
        except ClientError as error:
            if _code(error) == "UsernameExistsException":
                raise StaffUserExists(username) from None
            if _code(error) == "InvalidPasswordException":
                raise PasswordRejected(str(error.response["Error"].get("Message"))) from None
            raise
        self.client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=group)
        if password is None:
            return temporary
        try:
            self.client.admin_set_user_password(
                UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
            )
        except ClientError as error:
            self.client.admin_delete_user(UserPoolId=self.pool_id, Username=username)
            if _code(error) in ("InvalidPasswordException", "InvalidParameterException"):
                raise PasswordRejected(str(error.response["Error"].get("Message"))) from None
            raise
        return None

    def groups(self, username: str) -> list[str]:
        answer = self.client.admin_list_groups_for_user(UserPoolId=self.pool_id, Username=username)
        return [str(g["GroupName"]) for g in answer.get("Groups", [])]

    def set_group(self, username: str, group: str) -> None:
        """The user's one group becomes `group` (a role is one group)."""
        try:
            current = self.groups(username)
        except ClientError as error:
            if _code(error) == "UserNotFoundException":
                raise UnknownStaffUser(username) from None
            raise
        self.client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=username, GroupName=group)
        for old in current:
            if old != group:
                self.client.admin_remove_user_from_group(UserPoolId=self.pool_id, Username=username, GroupName=old)

    def disable(self, username: str) -> None:
        """Revocation: the user can no longer sign in, and every refresh token goes."""
        try:
            self.client.admin_disable_user(UserPoolId=self.pool_id, Username=username)
        except ClientError as error:
            if _code(error) == "UserNotFoundException":
                raise UnknownStaffUser(username) from None
            raise
        self.sign_out(username)
