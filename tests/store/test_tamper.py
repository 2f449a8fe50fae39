"""Tamper evidence: `verify` finds any stored entry changed, removed, inserted or moved, naming the
first bad position; a digest published before (`verify --digest`, then `--against`) also finds a
cut tail and a chain rewritten from end to end.

Every tampering here is done as an attacker with the file would do it: with sqlite3, directly on
the ledger's tables, the ledger's code nowhere in the loop.
"""

from __future__ import annotations

import hashlib
import random
import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import orjson
import pytest
from ledgers import copy_ledger, ok, record_examples, run

from cqc_ledger.ledger.chain import GENESIS

ENTRIES = 40  # RWP's 28 and RX9's 12


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger holding the RWP and RX9 examples, recorded once for the whole module."""
    db = tmp_path_factory.mktemp("intact") / "ledger.db"
    record_examples(db)
    return db


@pytest.fixture
def ledger(intact: Path, tmp_path: Path) -> Path:
    """A fresh copy of the intact ledger, to tamper with."""
    db = tmp_path / "ledger.db"
    copy_ledger(intact, db)
    return db


def digest(db: Path) -> str:
    return ok(db, "verify", "--digest").stdout.strip()


# ---- tamperings, straight on the file ---------------------------------------------------------


def sql(db: Path) -> sqlite3.Connection:
    return closing(sqlite3.connect(db, isolation_level=None))  # type: ignore[return-value]


def rowid_at(c: sqlite3.Connection, position: int) -> int:
    """The rowid of the entry at a position of the recording order (counting from 1)."""
    return c.execute("SELECT rowid FROM stored_events ORDER BY rowid LIMIT 1 OFFSET ?", (position - 1,)).fetchone()[0]


def change_a_byte(db: Path, position: int, rng: random.Random | None = None) -> None:
    """One byte of the entry's stored state changed (a rating, a day, a name: whatever is there)."""
    with sql(db) as c:
        rowid = rowid_at(c, position)
        state = bytearray(c.execute("SELECT state FROM stored_events WHERE rowid = ?", (rowid,)).fetchone()[0])
        at = (rng or random.Random(position)).randrange(len(state))
        state[at] ^= 0x01
        c.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(state), rowid))


def remove(db: Path, position: int) -> None:
    with sql(db) as c:
        c.execute("DELETE FROM stored_events WHERE rowid = ?", (rowid_at(c, position),))


def insert(db: Path, position: int) -> None:
    """A forged entry slipped in at a position: the entries from there move up one rowid to make room."""
    with sql(db) as c:
        c.execute("BEGIN")
        rowids = [r[0] for r in c.execute("SELECT rowid FROM stored_events WHERE rowid >= ? ORDER BY rowid DESC", (position,))]
        for rowid in rowids:
            c.execute("UPDATE stored_events SET rowid = rowid + 1 WHERE rowid = ?", (rowid,))
        state = orjson.dumps({"recorded_at": "2026-01-01T00:00:00.000000Z", "name": "Forged NHS Trust", "on": "2010-04-01"})
        c.execute(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?, 'RZZ', 1, ?, ?)",
            (position, "events.provider:ProviderRegistered", state),
        )
        c.execute("COMMIT")


def swap_states(db: Path, first: int, second: int) -> None:
    """Two entries' contents exchanged: each row keeps its place and ref, the states trade."""
    with sql(db) as c:
        a, b = rowid_at(c, first), rowid_at(c, second)
        (sa,), (sb,) = (c.execute("SELECT state FROM stored_events WHERE rowid = ?", (r,)).fetchone() for r in (a, b))
        c.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (sb, a))
        c.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (sa, b))


def swap_rows(db: Path, first: int, second: int) -> None:
    """Two whole entries moved: each takes the other's place in the recording order."""
    with sql(db) as c:
        a, b = rowid_at(c, first), rowid_at(c, second)
        c.execute("BEGIN")
        c.execute("UPDATE stored_events SET rowid = -1 WHERE rowid = ?", (a,))
        c.execute("UPDATE stored_events SET rowid = ? WHERE rowid = ?", (a, b))
        c.execute("UPDATE stored_events SET rowid = ? WHERE rowid = -1", (b,))
        c.execute("COMMIT")


def change_a_link(db: Path, position: int) -> None:
    with sql(db) as c:
        (link,) = c.execute("SELECT hash FROM ledger_chain WHERE position = ?", (position,)).fetchone()
        c.execute("UPDATE ledger_chain SET hash = ? WHERE position = ?", (bytes([link[0] ^ 0x80]) + link[1:], position))


def cut_tail(db: Path, k: int, *, rewrite_head: bool) -> None:
    """The last k entries deleted with their links; with `rewrite_head`, the head set back to
    the link k entries earlier, so that what is left is a whole chain of its own."""
    with sql(db) as c:
        c.execute("BEGIN")
        (count,) = c.execute("SELECT count(*) FROM stored_events").fetchone()
        keep = count - k
        c.execute("DELETE FROM stored_events WHERE rowid > ?", (rowid_at(c, keep),))
        c.execute("DELETE FROM ledger_chain WHERE position > ?", (keep,))
        if rewrite_head:
            (link,) = c.execute("SELECT hash FROM ledger_chain WHERE position = ?", (keep,)).fetchone()
            c.execute("UPDATE ledger_head SET chain_position = ?, chain_hash = ? WHERE id = 1", (keep, link))
        c.execute("COMMIT")


def rewrite_the_chain(db: Path, position: int) -> None:
    """The thorough forger: an entry changed, then every link from it on and the head recomputed
    (SHA-256 is public), so the store is consistent with itself again."""
    change_a_byte(db, position)
    with sql(db) as c:
        c.execute("BEGIN")
        previous = GENESIS
        rows = c.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid").fetchall()
        for n, (_rowid, stream, version, topic, state) in enumerate(rows, 1):
            header = orjson.dumps([stream, version, topic])
            previous = hashlib.sha256(previous + header + b"\n" + state).digest()
            c.execute("UPDATE ledger_chain SET hash = ? WHERE position = ?", (previous, n))
        c.execute("UPDATE ledger_head SET chain_position = ?, chain_hash = ? WHERE id = 1", (len(rows), previous))
        c.execute("COMMIT")


# ---- an intact ledger ---------------------------------------------------------------------------


def test_verify_passes_on_an_intact_ledger_and_says_how_many_entries_it_checked(ledger):
    result = run(ledger, "verify")

    assert result.exit_code == 0, result.output
    assert f"The ledger is intact: {ENTRIES} entries" in result.stdout


def test_verify_digest_prints_the_position_and_hash_of_the_head(ledger):
    # When a user asks for the digest to publish
    printed = digest(ledger)

    # Then it is POSITION:HASH, the head of the chain as stored with the entries
    assert re.fullmatch(r"[0-9]+:[0-9a-f]{64}", printed), printed
    with sql(ledger) as c:
        position, link = c.execute("SELECT chain_position, chain_hash FROM ledger_head").fetchone()
    assert printed == f"{ENTRIES}:{link.hex()}"
    assert position == ENTRIES


def test_verify_against_a_digest_passes_on_the_unchanged_ledger_and_after_more_is_recorded(ledger):
    # Given a digest published now
    published = digest(ledger)
    assert run(ledger, "verify", "--against", published).exit_code == 0

    # When more entries are recorded (a new report for RWP, and a correction)
    ok(
        ledger,
        "record",
        input=orjson.dumps(
            {
                "type": "RatingRevised",
                "provider_id": "RWP",
                "on": "2024-01-10",
                "reason": "rating review",
                "cell": {"question": "caring", "rating": "Good"},
            }
        ).decode(),
    )
    ok(ledger, "retract", "RWP/10", "--reason", "a report without ratings recorded twice over")

    # Then the ledger still proves unchanged up to the published head, and has a new head
    result = run(ledger, "verify", "--against", published)
    assert result.exit_code == 0, result.output
    assert f"Unchanged up to the published head {ENTRIES}." in result.stdout
    assert digest(ledger).startswith(f"{ENTRIES + 2}:")


@pytest.mark.parametrize(
    "given", ["40:abc", "", " ", "40:" + "zz" * 32, "-1:" + "00" * 32], ids=["short", "empty", "blank", "not hex", "negative"]
)
def test_a_digest_that_is_not_position_colon_hash_is_a_usage_error_naming_the_option(ledger, given):
    result = run(ledger, "verify", "--against", given)

    assert result.exit_code == 2
    assert "Invalid value for --against" in result.stderr
    assert "is not a digest like" in result.stderr


def test_the_empty_ledgers_digest_holds_and_any_other_at_position_0_fails(ledger):
    # Given the digest of the empty ledger: position 0, the chain's start
    empty = f"0:{GENESIS.hex()}"
    # Then every ledger holds to it (it proves nothing: nothing was before)
    assert run(ledger, "verify", "--against", empty).exit_code == 0

    # But a digest of position 0 with any other hash was taken of no ledger, and fails as a mismatch does
    result = run(ledger, "verify", "--against", "0:" + "ab" * 32)
    assert result.exit_code == 1
    assert "the digest is of position 0, the empty ledger, whose only digest is 0:" in result.stderr
    assert run(ledger, "verify", "--against", "0:" + "ab" * 32, "--json").exit_code == 1


# ---- each tampering, named at its first bad position ---------------------------------------------


FOUND_BY_VERIFY: list = [
    pytest.param(lambda db: change_a_byte(db, 17), 17, id="a byte of an entry changed"),
    pytest.param(lambda db: change_a_byte(db, 1), 1, id="a byte of the first entry changed"),
    pytest.param(lambda db: change_a_byte(db, ENTRIES), ENTRIES, id="a byte of the last entry changed"),
    pytest.param(lambda db: remove(db, 12), 12, id="an entry removed"),
    pytest.param(lambda db: remove(db, ENTRIES), ENTRIES, id="the last entry removed"),
    pytest.param(lambda db: insert(db, 5), 5, id="an entry inserted"),
    pytest.param(lambda db: insert(db, ENTRIES + 1), ENTRIES + 1, id="an entry appended without its link"),
    pytest.param(lambda db: swap_states(db, 13, 26), 13, id="two entries' contents swapped"),
    pytest.param(lambda db: swap_rows(db, 28, 29), 28, id="two entries moved"),
    pytest.param(lambda db: change_a_link(db, 9), 9, id="a link of the chain changed"),
    pytest.param(lambda db: cut_tail(db, 3, rewrite_head=False), ENTRIES - 2, id="the tail cut, the head left"),
]


@pytest.mark.parametrize(("tamper", "position"), FOUND_BY_VERIFY)
def test_verify_names_the_first_bad_position_of_a_tampered_ledger(ledger, tamper: Callable[[Path], None], position: int):
    # Given a digest published of the intact ledger
    published = digest(ledger)

    # When the file is tampered with
    tamper(ledger)

    # Then verify fails, naming the first position that no longer matches the chain
    result = run(ledger, "verify")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: position {position}: "), result.stderr
    assert "Traceback" not in result.output
    # And so does verifying against the digest
    assert run(ledger, "verify", "--against", published).exit_code == 1


def test_a_cut_tail_with_its_head_rewritten_is_found_only_against_a_digest_taken_before(ledger):
    # Given a digest published of the whole ledger, and one of its first 30 entries
    published = digest(ledger)
    with sql(ledger) as c:
        (link30,) = c.execute("SELECT hash FROM ledger_chain WHERE position = 30").fetchone()
    earlier = f"30:{link30.hex()}"

    # When the last three entries are deleted with their links, and the head set back to match
    cut_tail(ledger, 3, rewrite_head=True)

    # Then what is left is a whole chain: verify alone cannot tell (nothing left is wrong)...
    assert run(ledger, "verify").exit_code == 0
    # ...but against the published digest the cut is found
    result = run(ledger, "verify", "--against", published)
    assert result.exit_code == 1
    assert f"the digest is of position {ENTRIES} but the ledger holds only {ENTRIES - 3} entries" in result.stderr
    # And the part before the cut is still proven unchanged
    assert run(ledger, "verify", "--against", earlier).exit_code == 0


def test_a_chain_rewritten_from_end_to_end_is_found_against_a_digest_at_or_after_the_change(ledger):
    # Given digests published at positions 10, 20 and 40
    with sql(ledger) as c:
        links = dict(c.execute("SELECT position, hash FROM ledger_chain"))
    published = {p: f"{p}:{links[p].hex()}" for p in (10, 20, ENTRIES)}

    # When entry 20 is changed and every link from it recomputed
    rewrite_the_chain(ledger, 20)

    # Then the store agrees with itself, so verify alone passes...
    assert run(ledger, "verify").exit_code == 0
    # ...but not against a digest of position 20 or later
    for position in (20, ENTRIES):
        result = run(ledger, "verify", "--against", published[position])
        assert result.exit_code == 1, position
        assert result.stderr.startswith(f"Error: position {position}: the ledger up to here is not the one"), result.stderr
    # And against the digest of position 10 it proves what is still true: nothing before changed
    assert run(ledger, "verify", "--against", published[10]).exit_code == 0


# ---- random tamperings ---------------------------------------------------------------------------


def random_tampering(rng: random.Random, db: Path) -> tuple[str, int | None, int]:
    """Tampers with the ledger at random; returns what was done, the first bad position `verify`
    must name (None when only a digest can tell), and the first position a digest must cover to
    find it."""
    kind = rng.choice(["change", "remove", "insert", "swap states", "move", "link", "cut", "cut and rewrite head", "rewrite chain"])
    p = rng.randint(1, ENTRIES)
    q = rng.choice([n for n in range(1, ENTRIES + 1) if n != p])
    first, last = min(p, q), max(p, q)
    k = rng.randint(1, 5)
    match kind:
        case "change":
            change_a_byte(db, p, rng)
            return kind, p, p
        case "remove":
            remove(db, p)
            return kind, p, p
        case "insert":
            p = rng.randint(1, ENTRIES + 1)
            insert(db, p)
            return kind, p, min(p, ENTRIES)
        case "swap states":
            swap_states(db, first, last)
            return kind, first, first
        case "move":
            swap_rows(db, first, last)
            return kind, first, first
        case "link":
            change_a_link(db, p)
            return kind, p, p
        case "cut":
            cut_tail(db, k, rewrite_head=False)
            return kind, ENTRIES - k + 1, ENTRIES - k + 1
        case "cut and rewrite head":
            cut_tail(db, k, rewrite_head=True)
            return kind, None, ENTRIES - k + 1
        case _:
            rewrite_the_chain(db, p)
            return kind, None, p


def test_random_tamperings_are_all_found(intact: Path, tmp_path: Path):
    rng = random.Random(20261122)
    seen: set[str] = set()
    for case in range(45):
        # Given a fresh copy of the ledger, and the digest of every position published
        db = tmp_path / f"case{case}.db"
        copy_ledger(intact, db)
        with sql(db) as c:
            links = dict(c.execute("SELECT position, hash FROM ledger_chain"))

        # When it is tampered with at random
        kind, position, covered_from = random_tampering(rng, db)
        seen.add(kind)
        story = f"case {case}: {kind} at {position}"

        # Then verify names the first bad position (or, where only a digest can tell, passes)...
        result = run(db, "verify")
        if position is None:
            assert result.exit_code == 0, story
        else:
            assert result.exit_code == 1, story
            assert result.stderr.startswith(f"Error: position {position}: "), f"{story}: {result.stderr}"
        # ...and every digest covering the tampered position fails, while one before it passes
        covering = rng.randint(covered_from, ENTRIES)
        assert run(db, "verify", "--against", f"{covering}:{links[covering].hex()}").exit_code == 1, f"{story}, digest {covering}"
        if position is None and covered_from > 1:
            before = rng.randint(1, covered_from - 1)
            assert run(db, "verify", "--against", f"{before}:{links[before].hex()}").exit_code == 0, f"{story}, digest {before}"
    assert len(seen) == 9  # every kind of tampering came up
