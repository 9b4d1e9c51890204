"""Server time and SQL query count of each request, as response headers (bench settings only).

Outermost middleware, so the time covers every other middleware, the view and the template
rendering; the worker's CPU time is reported beside it; queries are counted with a connection execute wrapper, so DEBUG stays off.
"""

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse


def server_timing(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        started, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Bench-Ms"] = f"{(time.perf_counter() - started) * 1000:.3f}"
        # CPU time of this worker alone: on a machine shared with other jobs the wall time above
        # includes waiting for a core, this does not (the database's own time is not in it).
        response["X-Bench-Cpu-Ms"] = f"{(time.process_time() - cpu) * 1000:.3f}"
        response["X-Bench-Queries"] = str(count[0])
        return response

    return middleware
