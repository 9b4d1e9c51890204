"""Bounded request loops to 127.0.0.1 and their percentiles; standard library only, so the
django-helpdesk side (its own virtualenv) uses the very same measuring code."""

import http.client
import os
import signal
import statistics
import subprocess
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    page: str
    url: str
    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    rendered: int | None = None  # entries (or rows) the page shows, counted in its HTML

    def summary(self) -> dict:
        def pct(values, q):
            if not values:
                return None
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

        return {
            "page": self.page,
            "url": self.url,
            "n": len(self.server_ms),
            "p50": pct(self.server_ms, 0.50),
            "p95": pct(self.server_ms, 0.95),
            "p99": pct(self.server_ms, 0.99),
            "client_p50": pct(self.client_ms, 0.50),
            "cpu_p50": pct(self.cpu_ms, 0.50),
            "queries": int(statistics.median(self.queries)) if self.queries else None,
            "queries_max": max(self.queries) if self.queries else None,
            "statuses": sorted(self.statuses),
            "rendered": self.rendered,
        }


class Gunicorn:
    """gunicorn bound to 127.0.0.1, stopped (its whole process group) by stop()."""

    def __init__(self, command: list[str], *, port: int, cwd, env, ready_path="/"):
        self.port = port
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                self.request("GET", ready_path)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not start within 90 s")

    def request(self, method, path, *, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            content = response.read()
            return response, content, (time.perf_counter() - started) * 1000
        finally:
            conn.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def measure(
    server, result, method, path, *, cookies, headers=None, body=None, n, warmup, count=None
):
    """`warmup` unmeasured then `n` measured requests, one at a time; an error, or a GET that
    redirects, stops the run.
    `count(content)`, when given, says how many entries the page rendered (`result.rendered`)."""
    return measure_together(
        server,
        result,
        [(method, path, body)],
        cookies=cookies,
        headers=headers,
        n=n,
        warmup=warmup,
        count=count,
    )


def measure_together(server, result, requests, *, cookies, headers=None, n, warmup, count=None):
    """Like measure, for a page that takes several requests (an HTML shell and the JSON its
    table loads): each sample is the requests back to back, their times and queries summed, so
    the percentiles are of the sums. `count` reads the last request's content."""
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    for index in range(warmup + n):
        server_ms = client_ms = cpu_ms = 0.0
        queries = 0
        for method, path, body in requests:
            payload = body() if callable(body) else body
            response, content, elapsed = server.request(method, path, body=payload, headers=headers)
            # A GET that redirects would measure another page (a sign-in, an enrolment); a POST
            # without htmx answers with the redirect back, as a browser's form post does.
            if response.status >= 400 or (method == "GET" and response.status >= 300):
                raise SystemExit(
                    f"{result.page}: {method} {path} answered {response.status}: {content[:500]!r}"
                )
            server_ms += float(response.getheader("X-Bench-Ms"))
            queries += int(response.getheader("X-Bench-Queries"))
            client_ms += elapsed
            cpu_ms += float(response.getheader("X-Bench-Cpu-Ms") or "nan")
            result.statuses.add(response.status)
        if index < warmup:
            continue
        result.server_ms.append(server_ms)
        result.queries.append(queries)
        result.client_ms.append(client_ms)
        result.cpu_ms.append(cpu_ms)
    if count is not None:
        result.rendered = count(content)
    return result
