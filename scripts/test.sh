#!/usr/bin/env bash
# Sets up cqc-ledger with its test dependencies in .venv (once) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test,ods,postgres,charts,sync,web,webtest
# The whole suite measures its coverage and fails below the floor set in pyproject.toml.
exec .venv/bin/python -m pytest --cov --cov-report=term "$@"
