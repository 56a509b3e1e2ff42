"""gunicorn's own limit for the route map page: a WSGI application with no Django at all,
answering with the page's bytes read once from a file, served by the same gunicorn setup.

What the site loses to this is the cost of its own code; what this loses to nginx is the
cost of gunicorn's sync workers (one connection per request, no keep-alive, no sendfile).

    BENCH_PAGE=page.html .venv/bin/gunicorn -w 2 -b 127.0.0.1:PORT bench.rawpage:application

A request asking for gzip gets BENCH_PAGE.gz when it exists, as the site sends its own copy.
"""

import os
import re
from pathlib import Path

PAGE = Path(os.environ["BENCH_PAGE"])
PLAIN = PAGE.read_bytes()
GZIPPED = (
    PAGE.with_name(PAGE.name + ".gz").read_bytes()
    if PAGE.with_name(PAGE.name + ".gz").exists()
    else None
)
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def application(environ, start_response):
    headers = [("Content-Type", "text/html; charset=utf-8")]
    body = PLAIN
    if GZIPPED is not None and ACCEPTS_GZIP.search(environ.get("HTTP_ACCEPT_ENCODING", "")):
        body = GZIPPED
        headers.append(("Content-Encoding", "gzip"))
    headers.append(("Content-Length", str(len(body))))
    start_response("200 OK", headers)
    return [body]
