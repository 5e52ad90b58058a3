"""gunicorn settings for the web process: ``gunicorn --config config/gunicorn.py config.wsgi``.

Each value can be overridden by its environment variable (documented in docs/deploy.md).
The web process is stateless (sessions in the database, rate limits in Redis), so as many
of these can run on as many machines as the load needs, behind one load balancer.
"""

from __future__ import annotations

import multiprocessing
import os

# Every interface by default: the load balancer is on another machine.
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
# Sync workers: each request is a few database queries, never a long wait on anything else
# (tasks go to Celery; the broker has 0.5 s timeouts). gunicorn's rule of thumb, 2 x cores + 1.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks (in us or a library) never build up.
max_requests = 2000
max_requests_jitter = 200
# gunicorn 25.1+ opens a control socket in $HOME; several instances on one machine would
# fight over it, and nothing here uses it.
control_socket_disable = True
# The load balancer's addresses, whose X-Forwarded-* headers are trusted.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Access log without personal data: the path without its query string (%(U)s), no client
# address or user agent; the request id joins it to the app's own records.
accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()

# gunicorn's own records through the app's formatters (config/logging.py), in either format:
# each record one line (a path with "%0A" in it is written decoded, and would otherwise start a
# line of its own), e-mail addresses masked, exception messages left out.
_formatter = (
    {"()": "config.logging.JsonFormatter"}
    if os.environ.get("LOG_FORMAT") == "json"
    else {"()": "config.logging.PlainFormatter", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"app": _formatter},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stdout"},
        "stderr": {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"},
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
    },
}
