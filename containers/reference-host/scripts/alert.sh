#!/usr/bin/env bash
# Usage: alert.sh MESSAGE
#
# Posts MESSAGE as a Slack incoming-webhook payload {"text": MESSAGE} to the
# URL in /etc/alive/alert-webhook-url. The URL is a secret: this script never
# prints it and passes it to curl through a config file descriptor, so it does
# not appear in any process's command line.
set -euo pipefail

readonly URL_FILE=/etc/alive/alert-webhook-url

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: alert.sh MESSAGE (one non-empty argument)" >&2
  exit 2
fi
message=$1

if [ ! -r "$URL_FILE" ]; then
  echo "alert not sent: webhook URL file $URL_FILE is missing or not readable (the file is root-only, so run as root)" >&2
  exit 1
fi
url=
IFS= read -r url < "$URL_FILE" || true
url=${url%$'\r'}

# Quotes, backslashes and whitespace would break the curl config line below.
if [[ ! "$url" =~ ^https?://[^[:space:]\"\\]+$ ]]; then
  echo "alert not sent: the first line of $URL_FILE is not an http(s) URL" >&2
  exit 1
fi

payload=$(node -e 'process.stdout.write(JSON.stringify({ text: process.argv[1] }))' -- "$message")

if ! curl_error=$(printf '%s' "$payload" \
    | curl -fsS --max-time 10 -H 'Content-Type: application/json' --data @- -o /dev/null \
        --config <(printf 'url = "%s"\n' "$url") 2>&1); then
  # Redact the URL and its path (which contains the token) in case a curl
  # error message quotes them.
  url_path=/${url#*://*/}
  curl_error=${curl_error//"$url"/<webhook URL>}
  if [ "${#url_path}" -gt 1 ]; then
    curl_error=${curl_error//"$url_path"/<webhook path>}
  fi
  echo "alert not sent: POST to the webhook failed: $curl_error" >&2
  exit 1
fi
echo "alert sent"
