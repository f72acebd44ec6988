"""HTTP Basic auth for the prediction endpoint, with credentials from the environment.

No default password: without SERVING_USERNAME and SERVING_PASSWORD the service
refuses to start (settings() raises at startup), so a forgotten variable can
never leave the model open with admin/admin.
"""

import os
import secrets
from functools import lru_cache

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPBasic, HTTPBasicCredentials

USERNAME_VAR = "SERVING_USERNAME"
PASSWORD_VAR = "SERVING_PASSWORD"

basic = HTTPBasic(realm="loan-default")


@lru_cache
def settings() -> tuple[str, str]:
    username = os.environ.get(USERNAME_VAR, "")
    password = os.environ.get(PASSWORD_VAR, "")
    if not username or not password:
        raise RuntimeError(f"{USERNAME_VAR} and {PASSWORD_VAR} must both be set; refusing to start without credentials")
    return username, password


def require_user(credentials: HTTPBasicCredentials = Depends(basic)) -> str:
    username, password = settings()
    # compare_digest takes the same time whether the first or the last byte differs.
    right_user = secrets.compare_digest(credentials.username.encode(), username.encode())
    right_password = secrets.compare_digest(credentials.password.encode(), password.encode())
    if not (right_user and right_password):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="wrong username or password",
            headers={"WWW-Authenticate": 'Basic realm="loan-default"'},
        )
    return credentials.username
