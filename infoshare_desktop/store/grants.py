"""Grants: who holds an account, with which roles, status and keys, as signed statements.

Every account holder can open the database file, so nothing in it may grant rights by
being there. Instead each account's roles, status and public keys (the X25519 key its
slot receives data keys under, the Ed25519 key it signs with) are a *grant*: a
statement signed by an administrator, chaining to the store's root of trust. The
application builds who-may-do-what only from grants whose signatures verify (`Trust`);
a `user_account` row is a copy for the screens, and an edited one grants nothing.

- Statement 1 is the root's own, self-signed. Each user's key slot pins the root's
  public key (inside the password-wrapped box, see keyslots), so a replaced root, or
  grants removed altogether, is refused at sign-in.
- Each later statement is signed by the root or by an account whose grant at that point
  makes it an active administrator, and names the statement before it (a hash chain):
  an edited, reordered or removed statement breaks the chain or its signature.
- A grant's `from_seq` is the audit chain position from which its signing key signs
  the account's audit entries (until a grant disables or revokes the account); the root
  statement's `from_seq` is where signed audit history starts (entries before it were
  carried over from an unsigned store).
- A break voids everything after it: the first statement that is missing, out of
  place, damaged, forged or signed by an account not entitled to it, and every
  statement after it, grant nothing (`Trust.broken_at`; `verify` names it).
- Every statement is recorded in the audit trail in the same transaction (an entry
  `grant.issue` naming its number, subject and hash, signed like every entry), so the
  audit says how long the chain is: grants removed from its end (`chain_end_problem`),
  or an account whose latest recorded grant is not among the valid ones
  (`unaccounted`), are detected; sign-in refuses such an account.
- Membership of a restricted case is a statement too (kind `member`): its first
  member is named by the creator (or an administrator), each later one by a member;
  a member is taken off by another member (a statement with `removed`), and a member
  lifting the restriction names nobody any more (`lifted`);
  `Trust.members_of` is built only from those.
- Stores made before membership was signed kept it as `case_member` rows alone. At the
  first sign-in of an active administrator, one statement (kind `members_carried`)
  names the members those rows gave each restricted case no statement named yet, and
  says that from then on membership is signed: there is only ever one (a second is
  refused), so a row added by SQL afterwards is never carried over
  (`carry_over_members`); it names only rows the case's signed envelopes put there
  (store.member_carry). A new store gets it, naming nothing, at its first sign-in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.store import audit, crypto
from infoshare_desktop.store.signing import Context, Signer, canonical, verify

GENESIS = b"\x00" * 32
VERSION = 1
#: The kind of the one statement carrying membership rows over (see the docstring).
MEMBERS_CARRIED = "members_carried"
#: The audit entries that record each statement: target kind, and target id the
#: statement's subject (an account) or case (a membership).
LINK_KIND = "grant"


@dataclass(frozen=True)
class AccountGrant:
    """What the signed grants say about one account (its latest valid grant)."""

    user_id: str
    username: str
    roles: frozenset[Role]
    status: str
    box_public: bytes | None
    sign_public: bytes | None
    n: int
    issuer_id: str
    #: The audit chain head when it was issued.
    from_seq: int = 0

    @property
    def is_active_admin(self) -> bool:
        return self.status == "active" and Role.ADMINISTRATOR in self.roles


@dataclass
class Trust:
    """Who may do what, built only from statements whose signatures verify."""

    store_id: str
    root_id: str | None = None
    root_public: bytes | None = None
    #: Audit entries from this sequence number on must be signed.
    signed_from: int | None = None
    accounts: dict[str, AccountGrant] = field(default_factory=dict)
    #: Per user: (from audit seq, signing key, or None from a disable or revocation on)
    #: in the order certified.
    sign_keys: dict[str, list[tuple[int, bytes | None]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    #: The last valid statement (the chain before any break).
    head_n: int = 0
    head_hash: bytes = GENESIS
    #: The first statement that failed; it and every one after it grant nothing.
    broken_at: int | None = None
    #: The hash of each valid statement, by number (to check the audit's record of them).
    hashes: dict[int, bytes] = field(default_factory=dict)
    #: Restricted cases -> the members named on them by valid statements.
    members: dict[str, set[str]] = field(default_factory=dict)
    #: The statement that carried over membership rows from before membership was
    #: signed (None: not done yet, an administrator's sign-in does it).
    members_carried: int | None = None
    #: Restricted cases -> everyone a valid statement has ever named on them (a
    #: removed member held the keys of the epochs before their removal).
    ever_named: dict[str, set[str]] = field(default_factory=dict)
    #: Every account a valid grant has ever made an active administrator (they were
    #: given every case's key, for recovery).
    ever_admins: set[str] = field(default_factory=set)

    @property
    def established(self) -> bool:
        return self.root_public is not None

    def account(self, user_id: str) -> AccountGrant | None:
        return self.accounts.get(user_id)

    def may_issue(self, user_id: str) -> bool:
        """An active administrator may sign grants; the root too before its own account
        is granted, never once that account is demoted, disabled or revoked (the root
        key is its first administrator's own signing key)."""
        grant = self.accounts.get(user_id)
        if user_id == self.root_id and grant is None:
            return True
        return grant is not None and grant.is_active_admin

    def sign_key_at(self, user_id: str, seq: int) -> bytes | None:
        """The key `user_id` signed audit entry `seq` with, as certified then; None when
        the account was disabled or revoked by then (its key then signs nothing)."""
        key = None
        for from_seq, public in self.sign_keys.get(user_id, []):
            if from_seq < seq:
                key = public
        return key

    def members_of(self, case_id: str) -> frozenset[str]:
        """The members of a restricted case, as valid signed statements name them (empty
        for a case without any: an ordinary case, or one whose rows nobody signed)."""
        return frozenset(self.members.get(case_id, ()))

    def member_cases(self, user_id: str) -> frozenset[str]:
        """The restricted cases `user_id` is named on by valid statements."""
        return frozenset(c for c, users in self.members.items() if user_id in users)

    def may_hold_case_key(self, user_id: str, case_id: str) -> bool:
        """Whether `user_id` may open restricted case `case_id`'s key now: a member by
        valid statements, or an active administrator (recovery). A key grant row for
        anyone else is ignored."""
        grant = self.accounts.get(user_id)
        if grant is not None and grant.is_active_admin:
            return True
        return user_id in self.members.get(case_id, ())

    def active_box_keys(self) -> dict[str, bytes]:
        """The certified X25519 keys of active accounts: the only slots a data key or
        the audit anchor may be sealed to."""
        return {
            g.user_id: g.box_public
            for g in self.accounts.values()
            if g.status == "active" and g.box_public is not None
        }


def _hash(body: bytes, signature: bytes) -> bytes:
    return hashlib.sha256(b"infoshare-grant\x00" + body + signature).digest()


def _key(text: object) -> bytes | None:
    return crypto.b64d(text) if isinstance(text, str) else None


def has_table(raw: Any) -> bool:
    return bool(
        raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'grant_statement'").fetchone()
    )


def load(raw: Any, store_id: str) -> Trust:
    """Read and check every grant (on a DB-API connection, inside its transaction). The
    first statement that fails breaks the chain: it and all after it grant nothing."""
    trust = Trust(store_id)
    if not has_table(raw):
        return trust
    expected, voided = 1, 0
    problem: str | None = None
    for n, body, signature in raw.execute(
        "SELECT n, body, signature FROM grant_statement ORDER BY n"
    ):
        if trust.broken_at is not None:
            voided += 1
            continue
        body, signature = bytes(body), bytes(signature)
        if n != expected:
            trust.broken_at, problem = expected, f"is missing (found {n} next)"
            voided += 1
            continue
        problem = _apply(trust, n, body, signature)
        if problem:
            trust.broken_at = n
            continue
        trust.head_n, trust.head_hash, expected = n, _hash(body, signature), n + 1
        trust.hashes[n] = trust.head_hash
    if trust.broken_at is not None:
        after = f", nor do the {voided} grants after it" if voided else ""
        trust.problems.append(f"grant {trust.broken_at} {problem}: it grants nothing{after}")
    return trust


def _apply(trust: Trust, n: int, body: bytes, signature: bytes) -> str | None:
    """Check one statement against those before it; apply it if it holds."""
    try:
        st = json.loads(body)
        if not isinstance(st, dict):
            return "is damaged"
        if canonical(st) != body:
            return "is not in canonical form (altered)"
        prev = bytes.fromhex(str(st.get("prev", "")))
    except (ValueError, TypeError):
        return "is damaged"
    if st.get("n") != n or prev != trust.head_hash:
        return "does not follow the grant before it (removed, reordered or altered)"
    if st.get("store") != trust.store_id or st.get("v") != VERSION:
        return "belongs to another store"
    kind, issuer, subject = st.get("kind"), st.get("issuer"), st.get("subject")
    try:
        sign_public = _key(st.get("sign_public"))
        box_public = _key(st.get("box_public"))
        from_seq = int(st.get("from_seq", 0))
    except (ValueError, TypeError):
        return "is damaged"
    if kind == "root":
        if n != 1 or trust.established or issuer != subject or sign_public is None:
            return "claims to be a second root of trust"
        if not verify(sign_public, Context.GRANT, body, signature):
            return "has a signature that does not verify"
        trust.root_id, trust.root_public, trust.signed_from = (
            str(subject),
            sign_public,
            from_seq + 1,
        )
        trust.sign_keys.setdefault(str(subject), []).append((from_seq, sign_public))
        return None
    if kind not in ("account", "member", MEMBERS_CARRIED) or not isinstance(subject, str):
        return "is of an unknown kind"
    if not isinstance(issuer, str):
        return "is of an unknown kind"
    if not trust.established:
        return "comes before the root of trust"
    if kind == "member":
        return _apply_member(trust, st, issuer, subject, body, signature)
    if kind == MEMBERS_CARRIED:
        return _apply_carried(trust, n, st, issuer, body, signature)
    if not trust.may_issue(issuer):
        return "was signed by an account that is not an active administrator"
    if not _signed_by(trust, issuer, body, signature):
        return "has a signature that does not verify"
    try:
        roles = frozenset(Role(r) for r in st["roles"])
    except (KeyError, TypeError, ValueError):
        return "names an unknown role"
    status = st.get("status")
    if status not in ("active", "disabled", "revoked"):
        return "names an unknown status"
    before = trust.accounts.get(subject)
    trust.accounts[subject] = AccountGrant(
        user_id=subject,
        username=str(st.get("username", "")),
        roles=roles,
        status=status,
        box_public=box_public,
        sign_public=sign_public,
        n=n,
        issuer_id=issuer,
        from_seq=from_seq,
    )
    if status == "active" and Role.ADMINISTRATOR in roles:
        trust.ever_admins.add(subject)
    keys = trust.sign_keys.setdefault(subject, [])
    signs = sign_public if status == "active" else None  # a disabled key signs nothing
    if (keys[-1][1] if keys else None) != signs or (before is None and signs is not None):
        keys.append((from_seq, signs))
    return None


def _signed_by(trust: Trust, issuer: str, body: bytes, signature: bytes) -> bool:
    """The statement carries `issuer`'s signature under the key its grant certifies (the
    root's own key before the root's account is granted)."""
    grant = trust.accounts.get(issuer)
    if grant is None:
        key = trust.root_public if issuer == trust.root_id else None
    else:
        key = grant.sign_public
    return key is not None and verify(key, Context.GRANT, body, signature)


def _apply_member(
    trust: Trust, st: dict[str, Any], issuer: str, subject: str, body: bytes, signature: bytes
) -> str | None:
    """Members named on a restricted case: the first by the case's creator (naming
    themselves) or an administrator, each later one by an active member of the case."""
    case_id, named = st.get("case"), st.get("members")
    removed = st.get("removed", [])
    if not isinstance(case_id, str) or not isinstance(named, list) or not isinstance(removed, list):
        return "names an unknown case or account"
    if (subject not in named + removed and st.get("lifted") is not True) or (named and removed):
        return "names an unknown case or account"
    if any(not isinstance(u, str) or trust.accounts.get(u) is None for u in named + removed):
        return "names an unknown case or account"
    by = trust.accounts.get(issuer)
    if by is None or by.status != "active":
        return "was signed by an account that is not active"
    current = trust.members.get(case_id)
    first = named == [issuer] or by.is_active_admin
    entitled = first if current is None else issuer in current
    lifted = st.get("lifted") is True
    if removed:  # taken off by a remaining member, never by themselves
        entitled = current is not None and issuer in current and issuer not in removed
    if lifted:  # the restriction lifted, by a member: nobody is named on it any more
        entitled = not named and not removed and current is not None and issuer in current
    if not entitled:
        return "was signed by an account not entitled to name members of that case"
    if not _signed_by(trust, issuer, body, signature):
        return "has a signature that does not verify"
    if lifted:
        del trust.members[case_id]
        return None
    trust.members.setdefault(case_id, set()).update(named)
    trust.members[case_id].difference_update(removed)
    trust.ever_named.setdefault(case_id, set()).update(named)
    return None


def _apply_carried(
    trust: Trust, n: int, st: dict[str, Any], issuer: str, body: bytes, signature: bytes
) -> str | None:
    """The one carry-over of membership rows (see the module docstring): by an active
    administrator, once, naming members only of cases no statement has named any on."""
    if trust.members_carried is not None:
        return "carries membership over a second time (it is carried over once)"
    if not trust.may_issue(issuer):
        return "was signed by an account that is not an active administrator"
    carried = st.get("cases")
    if not isinstance(carried, dict) or not all(
        isinstance(c, str) and isinstance(users, list) and users for c, users in carried.items()
    ):
        return "names an unknown case or account"
    for case_id, users in carried.items():
        if case_id in trust.members:
            return "names members of a case its signed statements already name"
        if any(not isinstance(u, str) or trust.accounts.get(u) is None for u in users):
            return "names an unknown case or account"
    if not _signed_by(trust, issuer, body, signature):
        return "has a signature that does not verify"
    for case_id, users in carried.items():
        trust.members[case_id] = set(users)
        trust.ever_named.setdefault(case_id, set()).update(users)
    trust.members_carried = n
    return None


def refresh(raw: Any, trust: Trust) -> Trust:
    """Apply the statements added since `trust` was built (each checked once), in place.
    One indexed query when there are none."""
    if trust.broken_at is not None or not trust.established:
        return trust
    for n, body, signature in raw.execute(
        "SELECT n, body, signature FROM grant_statement WHERE n > ? ORDER BY n", (trust.head_n,)
    ).fetchall():
        body, signature = bytes(body), bytes(signature)
        problem = (
            f"is missing (found {n} next)"
            if n != trust.head_n + 1
            else _apply(trust, n, body, signature)
        )
        if problem:
            trust.broken_at = trust.head_n + 1 if n != trust.head_n + 1 else n
            trust.problems.append(f"grant {trust.broken_at} {problem}: it grants nothing")
            break
        trust.head_n, trust.head_hash = n, _hash(body, signature)
        trust.hashes[n] = trust.head_hash
    return trust


def _audit_seq(raw: Any) -> int:
    row = raw.execute("SELECT seq FROM audit_state WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def _append(raw: Any, signer: Signer, statement: dict[str, Any]) -> int:
    """Sign and insert the next statement, and record it in the audit trail (the entry
    is signed by whoever the audit signs as, normally `signer`)."""
    last = raw.execute(
        "SELECT n, body, signature FROM grant_statement ORDER BY n DESC LIMIT 1"
    ).fetchone()
    n, prev = (1, GENESIS) if last is None else (last[0] + 1, _hash(bytes(last[1]), bytes(last[2])))
    statement = {
        **statement,
        "v": VERSION,
        "n": n,
        "prev": prev.hex(),
        "issuer": signer.user_id,
        "at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "from_seq": _audit_seq(raw),
    }
    body = canonical(statement)
    signature = signer.sign(Context.GRANT, body)
    raw.execute(
        "INSERT INTO grant_statement (n, body, signature) VALUES (?, ?, ?)", (n, body, signature)
    )
    audit.append(
        raw,
        actor_id=signer.user_id,
        action=audit.Action.GRANT,
        target_kind=LINK_KIND,
        target_id=str(statement.get("case") or statement["subject"]),
        detail=f"n={n};hash={_hash(body, signature).hex()}",
    )
    return n


def issue_root(raw: Any, signer: Signer, *, store_id: str) -> int:
    """Statement 1: the root of trust (self-signed). Audit entries after the current
    head must be signed from now on."""
    return _append(
        raw,
        signer,
        {
            "kind": "root",
            "store": store_id,
            "subject": signer.user_id,
            "sign_public": crypto.b64e(signer.public),
        },
    )


def issue_account(
    raw: Any,
    signer: Signer,
    *,
    store_id: str,
    user_id: str,
    username: str,
    roles: frozenset[Role] | set[Role],
    status: str,
    box_public: bytes | None,
    sign_public: bytes | None,
    reason: str,
) -> int:
    """A grant of an account's roles, status and keys, signed by `signer` (an active
    administrator or the root), in the caller's transaction."""
    return _append(
        raw,
        signer,
        {
            "kind": "account",
            "store": store_id,
            "subject": user_id,
            "username": username,
            "roles": sorted(str(r) for r in roles),
            "status": status,
            "box_public": crypto.b64e(box_public) if box_public is not None else None,
            "sign_public": crypto.b64e(sign_public) if sign_public is not None else None,
            "reason": reason,
        },
    )


def issue_member(raw: Any, signer: Signer, *, case_id: str, members: list[str], reason: str) -> int:
    """Name `members` on restricted case `case_id`, signed by `signer` (its creator, or
    an administrator, for the first members; a member for later ones), in the caller's
    transaction."""
    return _append(
        raw,
        signer,
        {
            "kind": "member",
            "store": store_of(raw),
            "case": case_id,
            "subject": members[0],
            "members": sorted(members),
            "reason": reason,
        },
    )


def issue_member_removal(
    raw: Any, signer: Signer, *, case_id: str, removed: list[str], reason: str
) -> int:
    """Take `removed` off restricted case `case_id`, signed by `signer` (a remaining
    member), in the caller's transaction: a membership statement naming no one new and
    the accounts it takes off."""
    return _append(
        raw,
        signer,
        {
            "kind": "member",
            "store": store_of(raw),
            "case": case_id,
            "subject": removed[0],
            "members": [],
            "removed": sorted(removed),
            "reason": reason,
        },
    )


def issue_lifted(raw: Any, signer: Signer, *, case_id: str, by: str) -> int:
    """The restriction of case `case_id` lifted by `by` (a member), signed, in the
    caller's transaction: from now on no statement names anyone on it (an ordinary case)."""
    return _append(
        raw,
        signer,
        {
            "kind": "member",
            "store": store_of(raw),
            "case": case_id,
            "subject": by,
            "members": [],
            "lifted": True,
            "reason": "unrestricted",
        },
    )


def unsigned_members(raw: Any, trust: Trust) -> dict[str, list[str]]:
    """What the carry-over would name: the members the `case_member` rows give each
    restricted case that no valid statement names anyone on (accounts with a grant
    that is not revoked). Restricted cases are few (an index of them alone)."""
    found: dict[str, list[str]] = {}
    for case_id, user_id in raw.execute(
        "SELECT m.case_id, m.user_id FROM case_file AS c"
        " JOIN case_member AS m ON m.case_id = c.id WHERE c.restricted = 1"
        " ORDER BY m.case_id, m.added_at, m.user_id"
    ).fetchall():
        grant = trust.account(user_id)
        if case_id in trust.members or grant is None or grant.status == "revoked":
            continue
        found.setdefault(case_id, []).append(user_id)
    return found


def carry_over_members(
    raw: Any, signer: Signer, trust: Trust, carried: dict[str, list[str]]
) -> bool:
    """The one signed statement carrying membership rows over (see the docstring),
    naming `carried` (restricted case -> members: of `unsigned_members`, those the
    case's signed envelopes put there, see store.member_carry), in the caller's write
    transaction, with `trust` as read in it. False if it was done already (or there is
    no root of trust yet)."""
    if not trust.established or trust.members_carried is not None:
        return False
    _append(
        raw,
        signer,
        {
            "kind": MEMBERS_CARRIED,
            "store": trust.store_id,
            "subject": signer.user_id,
            "cases": carried,
            "reason": "carried_over" if carried else "nothing_to_carry_over",
        },
    )
    return True


def store_of(raw: Any) -> str:
    """The store id the root statement names ('' before there is one)."""
    row = raw.execute("SELECT body FROM grant_statement WHERE n = 1").fetchone()
    try:
        return str(json.loads(bytes(row[0]))["store"]) if row else ""
    except (ValueError, KeyError, TypeError):
        return ""


#: Audit actions that change an account's rights: each has its grant, signed in the
#: same transaction, just before or after the entry.
_GRANTED_ACTIONS = (
    "account.create",
    "account.disable",
    "account.enable",
    "account.revoke",
    "account.roles",
)


def missing_grant(raw: Any, trust: Trust, user_id: str) -> int | None:
    """The audit entry of an account change whose grant is not there (the newest valid
    grant of the account is older than it: removed, or voided by a break), or None.
    Two indexed lookups."""
    grant = trust.account(user_id)
    if trust.signed_from is None:
        return None
    row = raw.execute(
        "SELECT max(seq) FROM audit_event WHERE target_kind = 'user' AND target_id = ?"
        f" AND action IN ({', '.join('?' for _ in _GRANTED_ACTIONS)})",
        (user_id, *_GRANTED_ACTIONS),
    ).fetchone()
    seq: int | None = row[0] if row else None
    # A grant comes just before its action's entry, after its own link entry.
    if seq is not None and seq >= trust.signed_from and (grant is None or seq > grant.from_seq + 2):
        return seq
    return unaccounted(raw, trust, user_id)


def _recorded(detail: object) -> tuple[int, str] | None:
    """(statement number, hash hex) from a `grant.issue` entry's detail."""
    try:
        n_text, hash_text = str(detail).split(";")
        return int(n_text.removeprefix("n=")), hash_text.removeprefix("hash=")
    except ValueError:
        return None


def unaccounted(raw: Any, trust: Trust, target_id: str) -> int | None:
    """The audit entry recording the latest statement about `target_id` (an account or
    a case), when that statement is not among the valid ones (removed, replaced, or
    voided by a break), or None. One indexed lookup."""
    row = raw.execute(
        "SELECT seq, detail FROM audit_event WHERE target_kind = ? AND target_id = ?"
        " ORDER BY seq DESC LIMIT 1",
        (LINK_KIND, target_id),
    ).fetchone()
    if row is None:
        return None
    recorded = _recorded(row[1])
    valid = trust.hashes.get(recorded[0]) if recorded else None
    if recorded is None or valid is None or valid.hex() != recorded[1]:
        return int(row[0])
    return None


def chain_end_problem(raw: Any, trust: Trust) -> str | None:
    """The grant chain ends before the last statement the audit trail records (grants
    removed from its end), or that statement is not the one recorded."""
    last = None
    for detail in raw.execute("SELECT detail FROM audit_event WHERE target_kind = ?", (LINK_KIND,)):
        recorded = _recorded(detail[0])
        if recorded is not None and (last is None or recorded[0] > last[0]):
            last = recorded
    if last is None:
        return None
    valid = trust.hashes.get(last[0])
    if valid is None or valid.hex() != last[1]:
        return (
            f"the audit trail records grant {last[0]}, but the valid grants end at "
            f"{trust.head_n}: grants were removed or replaced, and the accounts they "
            "changed are refused"
        )
    return None


def row_problems(raw: Any, trust: Trust) -> list[str]:
    """`user_account` rows that say something the signed grants do not (they grant
    nothing; this names them)."""
    problems = []
    for user_id, username, roles, status in raw.execute(
        "SELECT id, username, roles, status FROM user_account ORDER BY username"
    ):
        grant = trust.account(user_id)
        missing = missing_grant(raw, trust, user_id)
        if missing is not None:
            problems.append(
                f"the grant of account {username}'s change in audit entry {missing} is "
                "missing (removed): its account is refused"
            )
        if grant is None:
            problems.append(f"account {username} has no signed grant: it grants nothing")
            continue
        row_roles = ",".join(sorted(r for r in str(roles).split(",") if r))
        signed_roles = ",".join(sorted(grant.roles))
        if row_roles != signed_roles:
            problems.append(
                f"account {username}: its row says roles {row_roles or '(none)'} but its "
                f"signed grant says {signed_roles or '(none)'} (the row grants nothing)"
            )
        if status != grant.status:
            problems.append(
                f"account {username}: its row says {status} but its signed grant says "
                f"{grant.status} (the row grants nothing)"
            )
    return problems


def member_problems(raw: Any, trust: Trust) -> list[str]:
    """Members of restricted cases that the table names but no valid statement does
    (such a row grants nothing), and restricted cases shown as ordinary."""
    problems = []
    for case_id, user_id, username in raw.execute(
        "SELECT m.case_id, m.user_id, u.username FROM case_member AS m"
        " JOIN case_file AS c ON c.id = m.case_id LEFT JOIN user_account AS u"
        " ON u.id = m.user_id WHERE c.restricted = 1 ORDER BY m.case_id, m.user_id"
    ):
        if user_id not in trust.members.get(case_id, ()):
            problems.append(
                f"restricted case {case_id} names {username or user_id} as a member, but no "
                "signed statement does: the row grants nothing"
            )
    restricted = list(trust.members)
    for start in range(0, len(restricted), 500):
        chunk = restricted[start : start + 500]
        for (case_id,) in raw.execute(
            "SELECT id FROM case_file WHERE restricted = 0 AND id IN"
            f" ({', '.join('?' for _ in chunk)})",
            chunk,
        ):
            problems.append(
                f"case {case_id} is restricted by its signed statements but its row says it is not"
            )
    return problems


def key_grant_problems(raw: Any, trust: Trust) -> list[str]:
    """Case-key grant rows (store.sealing) sealed to someone no valid statement ever
    named on the case and no valid grant ever made an administrator: nobody entitled
    sealed them (they are ignored: such a user opens nothing with them). Restricted
    cases and their recipients are few."""
    if not raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'case_key_grant'").fetchone():
        return []
    problems = []
    for case_id, epoch, user_id, username in raw.execute(
        "SELECT g.case_id, g.epoch, g.user_id, u.username FROM case_key_grant AS g"
        " LEFT JOIN user_account AS u ON u.id = g.user_id ORDER BY g.case_id, g.epoch, g.user_id"
    ):
        if user_id in trust.ever_admins or user_id in trust.ever_named.get(case_id, ()):
            continue
        problems.append(
            f"restricted case {case_id}'s key (epoch {epoch}) is sealed to "
            f"{username or user_id}, whom no signed statement names on it: it is ignored"
        )
    return problems


def slot_problems(slots: dict[str, dict[str, str | None]], trust: Trust) -> list[str]:
    """Key slots (user id -> public keys, from the key store) that no grant certifies."""
    problems = []
    for user_id, publics in sorted(slots.items()):
        grant = trust.account(user_id)
        if grant is None:
            problems.append(
                f"a key slot for user id {user_id} has no signed grant: it receives no key"
            )
            continue
        box = _key(publics.get("public"))
        if box != grant.box_public:
            problems.append(
                f"the key slot of {grant.username} holds a public key its grant does not "
                "certify (swapped or an old copy): it receives no key and is refused"
            )
        sign = _key(publics.get("sign_public"))
        if sign is not None and sign != grant.sign_public:
            problems.append(
                f"the key slot of {grant.username} holds a signing key its grant does not "
                "certify: it is refused"
            )
    return problems
