"""Row-level security scope per request (issue 9; ``policies.py``, ``scope.py``).

At the start of each authenticated request on PostgreSQL the user's scope is computed from
their roles and set on the connection by one statement (``scope.apply_user``), and at the
end it is cleared by one statement, also when the view raised. A streamed response (a
large export) reads while it is sent, after the view returned: its iterator gets the scope
again for that time. Anonymous requests set nothing (the connection was cleared at the end
of the previous request: it sees nothing).

Other PostgreSQL aliases (the read replica of ``core/dbrouter.py``) get the scope on their
first statement within the request, so a request that never reads from the replica does
not open a connection to it.

API calls with a bearer token are authenticated by django-ninja inside the view; the user
is looked up here from the same header so the scope is in place before the view runs.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from django.db import connections
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

from dangvien.rowsecurity import scope


def _user_of(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() == "bearer" and token.strip():
        from dangvien.accounts.queries import user_for_request_token

        return user_for_request_token(request, token.strip())
    return None


class _OnFirstStatement:
    """An execute wrapper that sets the scope before the alias's first statement."""

    def __init__(self, alias: str, value: str, user_id: int | None) -> None:
        self.alias = alias
        self.value = value
        self.user_id = user_id
        self.done = False

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if not self.done:
            self.done = True
            conn = connections[self.alias]
            with conn.connection.cursor() as cursor:
                cursor.execute(scope.SET_SQL, scope.set_params(self.value, self.user_id))
            setattr(conn, scope._STATE, self.value)
            setattr(conn, scope._USER, self.user_id)
        return execute(sql, params, many, context)


def _other_aliases() -> list[str]:
    """The configured aliases besides ``default`` on PostgreSQL (the read replica)."""
    return [
        alias
        for alias in connections
        if alias != "default" and connections[alias].vendor == "postgresql"
    ]


@contextmanager
def request_scope(
    user: Any = None, *, value: str | None = None, user_id: int | None = None
) -> Iterator[str]:
    """The scope of ``user`` (or ``value`` for ``user_id``) is the scope of every PostgreSQL
    connection for the block; cleared after. Setting it on the default connection is one
    statement, which also computes it from the user's roles."""
    if value is None:
        value = scope.apply_user(user)
        user_id = scope.current_user_id()
    else:
        scope.apply(value, user_id=user_id)
    lazy = [_OnFirstStatement(alias, value, user_id) for alias in _other_aliases()]
    try:
        with ExitStack() as stack:
            for wrapper in lazy:
                stack.enter_context(connections[wrapper.alias].execute_wrapper(wrapper))
            yield value
    finally:
        scope.clear()
        for wrapper in lazy:
            if wrapper.done:
                scope.clear(wrapper.alias)


def _streamed(value: str, user_id: int | None, content: Iterable[Any]) -> Iterator[Any]:
    with request_scope(value=value, user_id=user_id):
        yield from content


class RowScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not scope.enabled():
            return self.get_response(request)
        user = _user_of(request)
        if user is None:
            if scope.current():  # left behind by code outside a request: fail closed
                scope.clear()
            return self.get_response(request)
        with request_scope(user) as value:
            user_id = scope.current_user_id()
            response = self.get_response(request)
        # A file is read from disk; other streams may read rows while they are sent.
        if (
            isinstance(response, StreamingHttpResponse)
            and not isinstance(response, FileResponse)
            and not response.is_async
        ):
            response.streaming_content = _streamed(value, user_id, response.streaming_content)
        return response
