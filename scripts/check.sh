#!/usr/bin/env bash
# The project's gates, run by CI before the tests: lint and format (ruff), then types (mypy, with
# every extra installed so that it reads the libraries the code uses).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev,test,ods,postgres,charts,sync,web,webtest
.venv/bin/ruff format --check .
.venv/bin/ruff check .
# mypy reads the package by its installed name through a link to the repository's root.
mkdir -p .mypy && ln -sfn .. .mypy/cqc_ledger
.venv/bin/mypy
