#!/bin/sh
# Turn the page's asset files into a C source with one table, `assets`, that
# the daemon serves under /static/NAME with the file's type and an ETag.
# The name is the file's own, without its folder.
# Usage: scripts/embed-www.sh FILE... > OUT.c
set -eu
here=$(dirname "$0")
echo '#include "assets.h"'
i=0
for f in "$@"; do
	"$here/embed.sh" "asset_$i" "$f" | sed -e '/_len = /d' -e 's/^const /static const /'
	i=$((i + 1))
done
echo "const struct asset assets[] = {"
i=0
for f in "$@"; do
	case "$f" in
	*.js) type="text/javascript; charset=utf-8" ;;
	*.css) type="text/css; charset=utf-8" ;;
	*.svg) type="image/svg+xml" ;;
	*.png) type="image/png" ;;
	*.html) type="text/html; charset=utf-8" ;;
	*) echo "embed-www.sh: no type known for $f" >&2; exit 1 ;;
	esac
	etag=$(sha256sum "$f" | cut -c1-16)
	printf '\t{ "/static/%s", "%s", asset_%d, sizeof asset_%d - 1, "\\"%s\\"" },\n' \
		"$(basename "$f")" "$type" "$i" "$i" "$etag"
	i=$((i + 1))
done
echo "};"
echo "const size_t assets_count = sizeof assets / sizeof assets[0];"
