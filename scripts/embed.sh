#!/bin/sh
# Turn a file into a C source defining `const char NAME[]` (NUL-terminated) and
# `const size_t NAME_len`, so the daemon carries it without reading the disk.
# Usage: scripts/embed.sh NAME FILE > OUT.c
set -eu
name=$1
file=$2
echo "/* Generated from $file by scripts/embed.sh; do not edit. */"
echo "#include <stddef.h>"
echo "const char ${name}[] = {"
od -An -v -tx1 "$file" | sed -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'
echo "	0x00"
echo "};"
echo "const size_t ${name}_len = sizeof $name - 1;"
