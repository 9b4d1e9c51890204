"""The same server-time and query-count headers as bench/middleware.py (kept separate: this
project runs in django-helpdesk's own virtualenv and must not import the service desk)."""

import time

from django.db import connection


def server_timing(get_response):
    def middleware(request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        started, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Bench-Ms"] = f"{(time.perf_counter() - started) * 1000:.3f}"
        response["X-Bench-Cpu-Ms"] = f"{(time.process_time() - cpu) * 1000:.3f}"
        response["X-Bench-Queries"] = str(count[0])
        return response

    return middleware
