"""The embedded default sends emails to the console: in the worker, whatever a task prints (each
email) is logged at INFO, not as a warning."""

import logging

from celery.utils.log import LoggingProxy
from django.core import mail
from django.test import override_settings

from servicedesk.celery import app


def test_what_a_task_prints_is_logged_at_info(caplog):
    proxy = LoggingProxy(
        logging.getLogger("celery.redirected"), app.conf.worker_redirect_stdouts_level
    )
    with caplog.at_level(logging.DEBUG, logger="celery.redirected"):
        proxy.write("Subject: [SD-1] Update: Printer is jammed")
    [record] = caplog.records
    assert record.levelno == logging.INFO
    assert "Subject: [SD-1]" in record.getMessage()


@override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_the_console_backend_prints_to_stdout_which_the_worker_logs(capsys):
    mail.send_mail("Hello", "Body", "desk@example.com", ["dana@example.com"])
    assert "Subject: Hello" in capsys.readouterr().out
