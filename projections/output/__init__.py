"""What each command shows: one module per question a user asks, holding its JSON and its text.

`output.status` holds `status --json`'s document (`status_json`) and the text a person reads
(`status_text`), side by side; so do `entries`, `record`, `trusts`, `history`, `explain`, `diff`,
`anomalies`, `changes`, `counts`, `transitions` and `find`, each named after its command.
`common` holds what several share (days in words, a cell named); `formats` is the one writer of
`--json`, `--csv` and `--nl`; `files` writes an answer to a file whole, never over the ledger.

The arrows run one way: these modules read the folds' states (`projections.status`,
`projections.explain`, ...) and the folds never import them, so answers are computed without
knowing how they are shown (a test holds it so).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cqc_ledger.projections.output import (
        anomalies,
        changes,
        common,
        counts,
        diff,
        entries,
        explain,
        files,
        find,
        formats,
        history,
        record,
        status,
        transitions,
        trusts,
    )

__all__ = [
    "anomalies",
    "changes",
    "common",
    "counts",
    "diff",
    "entries",
    "explain",
    "files",
    "find",
    "formats",
    "history",
    "record",
    "status",
    "transitions",
    "trusts",
]


def __getattr__(name: str) -> Any:
    """Each module is imported when first used (`output.trusts`): a command loads only the
    output it shows, not every command's (with the folds they show, see `projections.answers`)."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return importlib.import_module(f"{__name__}.{name}")
