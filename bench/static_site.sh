#!/usr/bin/env bash
# publish_static's output served by nginx on 127.0.0.1: requests/s for the front page and an
# entry, measured with wrk. Not a test. Needs nginx and wrk (apt-get install nginx wrk).
# Usage: bench/static_site.sh [DATABASE_URL]   (default: the local database)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8012}
OUT=$(pwd)/var/bench-site
RUN=$(mktemp -d)
trap 'nginx -p "$RUN" -c nginx.conf -s stop 2>/dev/null || true; rm -rf "$RUN"' EXIT
if [ -n "${1:-}" ]; then export DATABASE_URL=$1; fi
export ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING

start=$(date +%s.%N)
.venv/bin/python manage.py publish_static "$OUT" --base-url "http://127.0.0.1:$PORT"
echo "publish_static took $(echo "$(date +%s.%N) - $start" | bc) s"

cat >"$RUN/nginx.conf" <<CONF
worker_processes 2;
pid $RUN/nginx.pid;
error_log $RUN/error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$PORT;
    root $OUT;
    include $OUT/nginx.conf;
  }
}
CONF
nginx -p "$RUN" -c nginx.conf
entry=$(cd "$OUT" && find . -path './20[0-9][0-9]/[0-9][0-9]/*/index.html' ! -path '*/page/*' -print -quit | sed 's|^\.||; s|index.html$||')
for path in / "$entry"; do
  printf '%s ' "$path"
  wrk -t2 -c8 -d10s "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec"
done
