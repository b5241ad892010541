#!/bin/sh
# Installs, from Debian, the packages of the tools that are missing.
# Usage: need-tools.sh TOOL:PACKAGE...  (e.g. node:nodejs npm:npm)
# Only what is missing: a Node.js from nodesource ships npm itself, and
# Debian's npm package would conflict with it.
missing=''
for pair in "$@"; do
  command -v "${pair%%:*}" >/dev/null || missing="$missing ${pair#*:}"
done
[ -z "$missing" ] && exit 0
echo "need-tools.sh: installing from Debian:$missing" >&2
apt-get update -qq && apt-get install -y -qq $missing
