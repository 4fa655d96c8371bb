"""A local stand-in for SendGrid's v3 API on 127.0.0.1, for the real `sendgrid` client to talk to.

Answers are scripted per request: `FakeSendGrid([500, 202])` answers 500 then 202, and 202 after
the script runs out. An entry is a status code or a `Reply(status, headers, delay)`. Accepted
(2xx) answers carry an X-Message-Id. A request counts as accepted only if its client was still
there to read the answer (one that timed out or was killed first is not), as a provider whose
connection drops before it answers has not taken the email.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 202
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeSendGrid:
    def __init__(self, script: list[int | Reply] | None = None, delay: float = 0.0):
        self.script = [item if isinstance(item, Reply) else Reply(item) for item in script or []]
        self.delay = delay  # for every request not scripted otherwise
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with fake.lock:
                    reply = fake.script.pop(0) if fake.script else Reply(delay=fake.delay)
                    record = {
                        "path": self.path, "headers": dict(self.headers), "body": json.loads(body or b"{}"),
                        "status": reply.status, "at": time.time(), "accepted": False, "message_id": None,
                    }
                    fake.requests.append(record)
                if reply.delay:
                    time.sleep(reply.delay)
                if _peer_gone(self.connection):
                    return
                self.send_response(reply.status)
                if 200 <= reply.status < 300:
                    record["message_id"] = uuid.uuid4().hex[:22]
                    self.send_header("X-Message-Id", record["message_id"])
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                record["accepted"] = 200 <= reply.status < 300

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            # socketserver's default backlog of 5 drops connections when many senders connect at
            # once, and each dropped one waits a second for TCP to try again.
            request_queue_size = 128

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def accepted_ids(self) -> list[str]:
        """The outbox ids (custom_args) of every email accepted, once per acceptance."""
        return [r["body"].get("custom_args", {}).get("outbox_id") for r in self.requests if r["accepted"]]

    def __enter__(self) -> FakeSendGrid:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _peer_gone(connection: socket.socket) -> bool:
    readable, _, _ = select.select([connection], [], [], 0)
    if not readable:
        return False
    try:
        return connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def serve_until_stopped(ready_file: str, results_file: str, delay: float = 0.0) -> None:
    """Run the fake in its own process (the benchmark does, so that it does not share a GIL with
    what it measures): writes its URL to ready_file, and on SIGTERM the accepted outbox ids. `delay`
is how long it takes to answer each request, like a real provider across a network."""
    import signal

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *args: stopped.set())
    with FakeSendGrid(delay=delay) as fake:
        with open(ready_file, "w") as file:
            file.write(fake.url)
        stopped.wait()
    with open(results_file, "w") as file:
        json.dump(fake.accepted_ids(), file)


if __name__ == "__main__":
    import sys

    serve_until_stopped(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.0)
