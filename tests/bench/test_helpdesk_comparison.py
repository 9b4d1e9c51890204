"""The side-by-side benchmark's arithmetic: a page of several requests is timed per sample (the
requests' times summed, then percentiles), and the comparison names what each side renders and
headlines the typical ticket. The benchmark itself never runs here."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.httploop import Gunicorn, Result, measure_together
from bench.runner import comparison

TIMES = {"/shell": ("2.0", "1"), "/data": ("3.5", "4")}


class TimedHandler(BaseHTTPRequestHandler):
    """Answers like a benched server: its own time and query count in the headers."""

    def do_GET(self):
        ms, queries = TIMES[self.path]
        body = b'{"data": [1, 2, 3]}' if self.path == "/data" else b"<html></html>"
        self.send_response(200)
        self.send_header("X-Bench-Ms", ms)
        self.send_header("X-Bench-Cpu-Ms", "1.0")
        self.send_header("X-Bench-Queries", queries)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def timed_server() -> Iterator[Gunicorn]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), TimedHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    # The loop only needs the client half of Gunicorn (request()); this server is in-process.
    server = Gunicorn.__new__(Gunicorn)
    server.port = httpd.server_address[1]
    yield server
    httpd.shutdown()
    httpd.server_close()


def test_a_page_of_two_requests_is_timed_as_their_sum_per_sample(timed_server):
    result = measure_together(
        timed_server,
        Result("hd_ticket_list", "/shell + /data"),
        [("GET", "/shell", None), ("GET", "/data", None)],
        cookies={"sessionid": "x"},
        n=4,
        warmup=1,
        count=lambda content: content.count(b","),
    )

    summary = result.summary()
    assert result.server_ms == [5.5] * 4
    assert summary["p50"] == summary["p95"] == 5.5
    assert summary["queries"] == 5
    assert summary["cpu_p50"] == 2.0
    assert summary["rendered"] == 2  # counted in the last request's content


def row(page, p50, p95, rendered, queries=10, cpu=5.0):
    return {
        "page": page,
        "p50": p50,
        "p95": p95,
        "rendered": rendered,
        "queries": queries,
        "cpu_p50": cpu,
    }


def test_the_comparison_headlines_the_typical_ticket_and_names_what_each_side_renders():
    ours = {
        "results": [
            row("queue_open", 10.0, 12.0, 25),
            row("ticket_typical", 15.0, 20.0, 4),
            row("ticket_long", 20.0, 25.0, 50),
            row("ticket_long_all", 40.0, 50.0, 395),
        ]
    }
    theirs = {
        "counts": {"tickets": 100_000},
        "load_before": "1.00",
        "load_after": "1.10",
        "results": [
            row("hd_ticket_list", 300.0, 360.0, 25),
            row("hd_ticket_typical", 60.0, 90.0, 4),
            row("hd_ticket_long", 800.0, 1000.0, 395),
        ],
    }

    text = "\n".join(comparison(ours, theirs))

    assert text.startswith("**Headline: a typical ticket page (4 timeline entries on ours, 4 ")
    assert "takes 4.0x as long on django-helpdesk at the median" in text
    assert "4.5x at p95" in text
    assert "| longest ticket page | 50 entries: 20.0 / 25.0 (10) | 395 entries: " in text
    assert "| longest ticket page, whole timeline | 395 entries: 40.0 / 50.0 (10) |" in text
    assert "| staff ticket list | 25 rows: 10.0 / 12.0 (10) | 25 rows: 300.0 / 360.0" in text
    assert "30.0x" in text  # the list's p50 ratio
