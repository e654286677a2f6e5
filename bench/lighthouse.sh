#!/usr/bin/env bash
# Lighthouse scores (performance, accessibility, best practices, SEO) for the front page and
# an entry, served with DEBUG off on 127.0.0.1. Not a test: scores vary with the machine.
# Usage: bench/lighthouse.sh            (needs Node, npm and Debian's chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8010}
OUT=${OUT:-var/lighthouse}
PY=.venv/bin/python
export DEBUG=0 SECRET_KEY=${SECRET_KEY:-lighthouse-only-key} ALLOWED_HOSTS=127.0.0.1
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
mkdir -p "$OUT"

$PY manage.py migrate --noinput -v0
$PY manage.py load_demo >/dev/null
$PY manage.py collectstatic --noinput -v0
$PY manage.py runserver --noreload "127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.2; done

entry=$($PY manage.py shell -v0 -c \
  "from posts.models import Entry; print(Entry.objects.published().exclude(cover=None).first().get_absolute_url())")

for page in "/" "$entry"; do
  name=$(echo "$page" | tr -c 'a-z0-9\n' '_')
  npx --yes lighthouse@12.2.3 "http://127.0.0.1:$PORT$page" --quiet --output=json \
    --output-path="$OUT/report$name.json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
  $PY - "$OUT/report$name.json" "$page" <<'PYEOF'
import json, sys
report = json.load(open(sys.argv[1]))
scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
print(sys.argv[2], scores)
for key, audit in report["audits"].items():
    if audit.get("score") is not None and audit["score"] < 1 and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"):
        print("   ", key, audit["score"], audit.get("displayValue", ""))
PYEOF
done
