"""config/wsgi_bridge.py: the WSGI application under the ASGI server, on the loop (WEB_THREADS=0) or in a pool."""

import asyncio

import pytest

from config.wsgi_bridge import WsgiBridge

SCOPE = {
    "type": "http",
    "method": "POST",
    "path": "/echo/",
    "raw_path": b"/echo/",
    "root_path": "",
    "query_string": b"a=1",
    "http_version": "1.1",
    "scheme": "http",
    "server": ("127.0.0.1", 8000),
    "client": ("127.0.0.1", 50000),
    "headers": [(b"content-type", b"text/plain"), (b"x-thing", b"one")],
}


class EchoApp:
    """Answers with what it was given; remembers whether its iterable was closed."""

    def __init__(self):
        self.calls = 0
        self.closed = False

    def __call__(self, environ, start_response):
        self.calls += 1
        body = environ["wsgi.input"].read()
        start_response("201 Created", [("Content-Type", "text/plain"), ("X-Query", environ["QUERY_STRING"])])
        app = self

        class Body(list):
            def close(self):
                app.closed = True

        return Body([b"got:", body, b":", environ["HTTP_X_THING"].encode()])


EMPTY_BODY = [{"type": "http.request", "body": b""}]


def run(bridge, messages, scope=SCOPE):
    """One request through the bridge, as a task of its own loop; the messages it sent. `messages` None: the
    bridge must not wait for the body at all."""
    sent = []
    incoming = list(messages or ())

    async def receive():
        if messages is None:
            raise AssertionError("the body was waited for")
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(bridge(dict(scope), receive, send))
    return sent


@pytest.mark.parametrize("threads", [0, 2])
def test_the_body_in_parts_reaches_the_app_and_the_answer_is_sent_whole(threads):
    app = EchoApp()
    sent = run(
        WsgiBridge(app, threads, body_limit=100),
        [
            {"type": "http.request", "body": b"hel", "more_body": True},
            {"type": "http.request", "body": b"lo", "more_body": False},
        ],
    )
    assert sent[0] == {
        "type": "http.response.start",
        "status": 201,
        "headers": [(b"content-type", b"text/plain"), (b"x-query", b"a=1"), (b"content-length", b"13")],
    }
    assert sent[1] == {"type": "http.response.body", "body": b"got:hello:one"}
    assert len(sent) == 2
    assert app.closed


@pytest.mark.parametrize("threads", [0, 2])
def test_a_body_over_the_limit_is_cut_at_one_byte_more_for_the_app_to_refuse(threads):
    app = EchoApp()
    parts = [{"type": "http.request", "body": b"x" * 4, "more_body": True} for _ in range(10)]
    sent = run(WsgiBridge(app, threads, body_limit=6), parts)
    assert sent[1]["body"] == b"got:" + b"x" * 7 + b":one"


def test_a_declared_length_over_the_limit_reaches_the_app_at_once_without_the_body():
    scope = dict(SCOPE, headers=[*SCOPE["headers"], (b"content-length", b"20971520")])
    sent = run(WsgiBridge(EchoApp(), 0, body_limit=6), None, scope)
    assert sent[1]["body"] == b"got::one"


def test_requests_on_the_loop_share_django_s_per_thread_state():
    """Django keeps its database connections in an asgiref Local (thread_critical): on a thread running an event
    loop that is per context, and each request is a task of its own, so without a shared context every request
    would open a new connection."""
    from asgiref.local import Local

    local = Local(thread_critical=True)
    seen = []

    def app(environ, start_response):
        seen.append(getattr(local, "connection", None))
        local.connection = f"connection {len(seen)}"
        start_response("200 OK", [])
        return [b""]

    bridge = WsgiBridge(app, 0, body_limit=None)
    for _ in range(2):  # each request a task of its own, as uvicorn runs them
        run(bridge, EMPTY_BODY)
    assert seen == [None, "connection 1"]


def test_a_304_is_sent_without_a_length():
    def not_modified(environ, start_response):
        start_response("304 Not Modified", [("ETag", '"v1"')])
        return [b""]

    sent = run(WsgiBridge(not_modified, 0, body_limit=None), EMPTY_BODY)
    assert sent[0]["headers"] == [(b"etag", b'"v1"')]


def test_a_client_gone_before_its_body_ends_never_reaches_the_app():
    app = EchoApp()
    sent = run(WsgiBridge(app, 0, body_limit=100), [{"type": "http.request", "body": b"par", "more_body": True}])
    assert sent == []
    assert app.calls == 0


def test_the_write_callable_is_refused():
    def old_style(environ, start_response):
        start_response("200 OK", [])("bytes")
        return []

    with pytest.raises(RuntimeError, match="write"):
        run(WsgiBridge(old_style, 0, body_limit=None), EMPTY_BODY)
