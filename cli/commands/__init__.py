"""The commands, one module each, holding its command under the module's name (`status.status`);
`MODULES` names the module of each command, so that the group imports only the one it runs."""

from __future__ import annotations

MODULES = {
    "record": "record",
    "status": "status",
    "entries": "entries",
    "trusts": "trusts",
    "history": "history",
    "rebuild": "rebuild",
    "find": "find",
    "changes": "changes",
    "counts": "counts",
    "transitions": "transitions",
    "explain": "explain",
    "diff": "diff",
    "anomalies": "anomalies",
    "import": "import_",  # `import` is Python's word
    "sync": "sync",
    "export": "export",
    "restore": "restore",
    "verify": "verify",
    "retract": "retract",
    "correct": "correct",
    "chart": "chart",
    "serve": "serve",
}
