#!/usr/bin/env bash
# Runs every scenario against one real client and checks its verdicts against the client's
# baseline: a new failure or a stale baseline entry fails the test. Exits 77 (skipped) when the
# client is not installed.
set -euo pipefail
loginspec=$1
client=$2
source_dir=$3

profile="$source_dir/fixtures/clients/$client.json"
program=$(grep -o '"login_argv": *\[ *"[^"]*"' "$profile" | sed 's/.*\[ *"//; s/"$//')
if ! command -v "$program" >/dev/null 2>&1; then
  echo "$client is not installed ($program not on PATH); skipping"
  exit 77
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$loginspec" run --client "$client" --no-color --baseline "$source_dir/fixtures/baselines/$client.json" \
  --json "$out/result.json" --junit "$out/result.xml"
# The reports must exist and parse: they are what CI systems consume.
/usr/bin/python3 -c 'import json,sys,xml.dom.minidom; json.load(open(sys.argv[1])); xml.dom.minidom.parse(sys.argv[2])' \
  "$out/result.json" "$out/result.xml"
