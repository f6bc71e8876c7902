#!/bin/sh
# Write the key list of muricle.conf(5) from the daemon's own tables:
# everything between the BEGIN KEYS and END KEYS markers is replaced by
# `muricled --list-keys=roff`. test_config fails while the page is stale.
set -eu
muricled=$1
page=$2
keys=$(mktemp)
trap 'rm -f "$keys" "$page.new"' EXIT
"$muricled" --list-keys=roff > "$keys"
awk -v keys="$keys" '
	/^\.\\" END KEYS$/ { skipping = 0 }
	!skipping { print }
	/^\.\\" BEGIN KEYS$/ { while ((getline line < keys) > 0) print line; skipping = 1 }
' "$page" > "$page.new"
grep -q '^\.\\" END KEYS$' "$page.new" || { echo "$page: no KEYS markers" >&2; exit 1; }
mv "$page.new" "$page"
