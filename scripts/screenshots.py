"""Makes the README's pictures (docs/): a trust's page in the site, served by `cqc-ledger serve`
and photographed in Debian's Chromium, the trust's timeline drawn by `cqc-ledger chart`, and the
register's series drawn by `cqc-ledger counts --chart`.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import browsing, serving, shoot  # noqa: E402

DOCS = ROOT / "docs"


def cli(db: str, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "cqc_ledger.cli", "--db", db, *args], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        db = str(Path(scratch) / "ledger.db")
        for name in ("RWP", "RX9"):
            cli(db, "record", str(ROOT / "examples" / f"{name}.jsonl"))
        cli(db, "chart", "RWP", "--from", "2014-01-01", "--to", "2024-12-31", "--out", str(DOCS / "RWP-timeline.png"))
        cli(db, "counts", "--from", "2014-01-01", "--to", "2024-12-31", "--every", "year", "--chart", str(DOCS / "counts.png"))
        outside: list[str] = []
        with serving(db) as base, browsing(base, outside) as page:
            page.goto(f"{base}/trust/RWP?at=2019-12-31")
            page.wait_for_selector("#chart[data-drawn=yes]", timeout=30_000)
            shoot(page, DOCS / "trust-page.png")
        assert not outside, outside
    print(f"Wrote {DOCS / 'trust-page.png'}, {DOCS / 'RWP-timeline.png'} and {DOCS / 'counts.png'}")


if __name__ == "__main__":
    main()
