#!/bin/sh
# Turn a guide in docs/ (Markdown, with tables) into a page the daemon
# serves under /static, styled like the sensor page. Raw HTML in the
# Markdown is left out (cmark-gfm's default).
# Usage: scripts/guide.sh docs/NAME.md > NAME.html
set -eu
title=$(sed -n 's/^# //p' "$1" | head -n 1 | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')
cat <<HEAD
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark"><title>$title</title>
<link rel="icon" href="/static/favicon.svg"><link rel="stylesheet" href="/static/style.css">
</head><body><main class="guide">
<p><a href="/">Back to the sensors</a></p>
HEAD
cmark-gfm --extension table --smart "$1"
printf '</main></body></html>\n'
