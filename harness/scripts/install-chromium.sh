#!/bin/sh
# Installs Debian's `chromium` for the HTML report test (harness/tests/certify.rs),
# which runs this script itself when no Chromium is found.
# Exit 0: installed (or already there); 3: cannot install here (no apt-get, or
# neither root nor password-less sudo); anything else: apt-get failed.
set -eu
for browser in chromium chromium-browser google-chrome; do
    if command -v "$browser" >/dev/null 2>&1; then
        exit 0
    fi
done
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: no apt-get on this machine; install Chromium yourself" >&2
    exit 3
fi
if [ "$(id -u)" = 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
else
    echo "install-chromium: not root and no password-less sudo: run 'apt-get install chromium' as root" >&2
    exit 3
fi
echo "install-chromium: apt-get install chromium (about a minute)" >&2
$as_root apt-get update -qq
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
