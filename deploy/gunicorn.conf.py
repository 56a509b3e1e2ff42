"""gunicorn's settings for production behind nginx (deploy/nginx.conf):

    gunicorn -c deploy/gunicorn.conf.py config.wsgi

Sync workers, as gunicorn recommends behind a buffering proxy: nginx deals with slow readers
and keep-alive, so each worker only ever waits for Django. Values come from the environment
(gunicorn also reads GUNICORN_CMD_ARGS)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Rendering is CPU-bound (cached pages are cheap, misses are not): about one per core.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
# As nginx's proxy_read_timeout: a request nginx has given up on is not worked on longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# nginx on the same machine sets X-Forwarded-Proto; Django reads it (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG")  # nginx keeps the access log
errorlog = "-"
