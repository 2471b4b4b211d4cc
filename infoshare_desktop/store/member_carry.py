"""Which `case_member` rows of restricted cases the membership carry-over may sign.

The release before signed membership kept who is named on a restricted case as rows,
each put there by a signed envelope of the case: `case.created` names its author (the
creator), `case.member_added` a member named by one already named (only a member could
see the case to name anyone), and a `carried` envelope a row as the administrator who
carried the store over into envelopes found it. The carry-over (grants.MEMBERS_CARRIED)
signs a row only if the case's envelopes, each with a valid signature of its author
under a key the grants certify, replayed in order, put it there: a row added by SQL,
or an envelope forged or signed by someone not named on the case, names no one."""

from __future__ import annotations

import json
from typing import Any

from infoshare_desktop.store import envelopes
from infoshare_desktop.store.grants import Trust

_KINDS = (envelopes.CASE_CREATED, envelopes.MEMBER_ADDED, envelopes.CARRIED)


def backed(
    raw: Any, trust: Trust, candidates: dict[str, list[str]], *, ordinary: bool = False
) -> dict[str, list[str]]:
    """Of `candidates` (restricted case -> the members its rows name), those its signed
    envelopes named, in the rows' order; cases left with none are left out. One indexed
    read of each case's envelopes (restricted cases are few). `ordinary`: the cases are
    ordinary ones about to be restricted, on which anyone could name a member."""
    keys = envelopes._Keys(trust)
    out: dict[str, list[str]] = {}
    for case_id, rows in candidates.items():
        named: set[str] = set()
        for found in raw.execute(
            f"SELECT {envelopes._COLUMNS} FROM envelope WHERE case_id = ? AND kind IN "
            f"({', '.join('?' for _ in _KINDS)}) ORDER BY pos",
            (case_id, *_KINDS),
        ).fetchall():
            try:
                env = envelopes._stored(found)
                payload = json.loads(env.payload)
            except (ValueError, TypeError, UnicodeError):
                continue
            if envelopes.resealed_digest(env) is not None:  # a case restricted later
                if envelopes.vouched_member(raw, trust, env, int(found[0]), case_id):
                    if env.kind == envelopes.CASE_CREATED:
                        named.add(env.author_id)
                    elif env.kind != envelopes.MEMBER_ADDED or ordinary or env.author_id in named:
                        named.update(envelopes.resealed_members(env, payload))
                continue
            if not keys.verify(env.author_id, env.signed_bytes(), env.signature):
                continue
            if env.kind == envelopes.CASE_CREATED:
                named.add(env.author_id)
            elif env.kind == envelopes.MEMBER_ADDED and (ordinary or env.author_id in named):
                named.add(str(payload.get("user_id")))
            elif env.kind == envelopes.CARRIED and payload.get("table") == "case_member":
                row = payload.get("row") or {}
                if row.get("case_id") == case_id:
                    named.add(str(row.get("user_id")))
        kept = [user_id for user_id in rows if user_id in named]
        if kept:
            out[case_id] = kept
    return out
