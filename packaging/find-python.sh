#!/usr/bin/env bash
# Print the path of a Python 3.12 or newer (3.12 first: every dependency has wheels for it),
# or, given a version of 3.12 or newer (`find-python.sh 3.13`), of exactly that version.
#
# Why 3.12: on Python 3.11, PySide6 6.12 drops a reference to True/False/None on every
# signal emission and many widget setters; 3.11 does not make those objects immortal, so
# after a few thousand edits the process aborts ("none_dealloc"). From 3.12 they are
# immortal and the same wheels are harmless (tests/ui/records/test_endurance.py).
set -euo pipefail
want="${1:-}"
if [ -n "$want" ]; then
  versions=("$want")
else
  versions=(3.12 3.13 3.14)
fi
candidates=()
for v in "${versions[@]}"; do
  candidates+=("python$v")
done
[ -n "$want" ] || candidates+=(python3)
if command -v pyenv >/dev/null 2>&1; then
  root="$(pyenv root)"
  for v in "${versions[@]}"; do
    for dir in $(ls -d "$root/versions/$v".* 2>/dev/null | sort -V -r); do
      candidates+=("$dir/bin/python3")
    done
  done
fi
check='import sys, venv
want = sys.argv[1]
found = "%d.%d" % sys.version_info[:2]
sys.exit(0 if sys.version_info >= (3, 12) and found == (want or found) else 1)'
for py in "${candidates[@]}"; do
  if "$py" -c "$check" "$want" >/dev/null 2>&1; then
    command -v "$py" 2>/dev/null || echo "$py"
    exit 0
  fi
done
if [ -n "$want" ]; then
  echo "No Python $want found (InfoShare Desktop needs 3.12 or newer; see README, 'Two commands')." >&2
else
  echo "InfoShare Desktop needs Python 3.12 or newer (see README, 'Two commands')." >&2
fi
exit 1
