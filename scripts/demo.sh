#!/usr/bin/env bash
# Sets up cqc-ledger in .venv (once), records the two example trusts into a fresh embedded
# ledger, and shows Worcestershire Acute Hospitals (RWP) on a few telling days.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Always a fresh ledger of its own: never the one $CQC_LEDGER_DB names.
export CQC_LEDGER_DB="$(mktemp -d)/demo.db"
ledger=.venv/bin/cqc-ledger

echo "== Recording the examples into $CQC_LEDGER_DB"
$ledger record examples/RWP.jsonl
$ledger record examples/RX9.jsonl
echo "== Recording them again changes nothing"
$ledger record examples/RWP.jsonl
for day in 2016-06-01 2017-09-01 2019-10-01 2021-01-01; do
  echo
  echo "== Worcestershire Acute Hospitals (RWP) on $day"
  $ledger status RWP --at "$day"
done
