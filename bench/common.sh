# What bench/run.sh and bench/soak.sh share (sourced by both): the checkout's root as the
# working folder, its paths, a free port, and the site's production settings.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
GUNICORN=$ROOT/.venv/bin/gunicorn
OUT=$ROOT/bench/out

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The site as production runs it, on plain HTTP on loopback; clients connect straight to it.
production_settings() {
  export DJANGO_SETTINGS_MODULE=config.settings.production
  SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
  export SECRET_KEY
  export ALLOWED_HOSTS=127.0.0.1
  export SECURE_SSL_REDIRECT=0
  export TRUSTED_PROXY_HOPS=0
}
