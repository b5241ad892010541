#!/bin/sh
# Usage: sh setup.sh
# Builds the fixture in a fresh temporary directory T:
#   T/sandbox/                  the preopen (/sandbox, fd 3)
#   T/sandbox/abs -> T/outside/a   (an absolute target, an existing directory)
#   T/outside/a/                outside the preopen, empty
# runs program.wasm on node:wasi, then lists T/outside/a.
# The absolute target is inside T, never a path at the host root.
set -u
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
mkdir -p "$t/sandbox" "$t/outside/a"
ln -s "$t/outside/a" "$t/sandbox/abs"
node --no-warnings "$here/run.mjs" "$t/sandbox"
echo "exit=$?"
echo "sandbox/abs -> $(readlink "$t/sandbox/abs")"
echo "outside/a (not in the preopen) now holds:"
for e in "$t/outside/a"/*; do
  [ -e "$e" ] || [ -L "$e" ] || continue
  n=${e##*/}
  if [ -L "$e" ]; then echo "  $n: symlink -> $(readlink "$e")"
  elif [ -d "$e" ]; then echo "  $n: directory"
  else echo "  $n: file, holding $(cat "$e")"; fi
done
