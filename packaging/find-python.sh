#!/usr/bin/env bash
# Print the path of a Python 3.12 or newer (3.12 first: every dependency has wheels for it).
#
# Why 3.12: on Python 3.11, PySide6 6.12 drops a reference to True/False/None on every
# signal emission and many widget setters; 3.11 does not make those objects immortal, so
# after a few thousand edits the process aborts ("none_dealloc"). From 3.12 they are
# immortal and the same wheels are harmless.
set -euo pipefail
candidates=()
for name in python3.12 python3.13 python3.14 python3; do
  candidates+=("$name")
done
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root)"
  for v in 3.12 3.13 3.14; do
    for dir in $(ls -d "$root/versions/$v".* 2>/dev/null | sort -V -r); do
      candidates+=("$dir/bin/python3")
    done
  done
fi
for py in "${candidates[@]}"; do
  if "$py" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    command -v "$py" 2>/dev/null || echo "$py"
    exit 0
  fi
done
echo "InfoShare Desktop needs Python 3.12 or newer (see README, 'Two commands')." >&2
exit 1
