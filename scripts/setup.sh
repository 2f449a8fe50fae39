#!/usr/bin/env bash
# Sets up cqc-ledger in .venv with the extras given (e.g. `bash scripts/setup.sh test,postgres`),
# then byte-compiles the package: an editable install leaves that to the first import, and where
# PYTHONDONTWRITEBYTECODE is set (as on the machines this project is built on) every command would otherwise compile
# the whole package again before it starts (about a quarter of a second each time).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${1:+[$1]}"
.venv/bin/python -m compileall -q -j 0 __init__.py cli events ledger projections web bench > /dev/null
