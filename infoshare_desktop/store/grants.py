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
  the account's audit entries; the root statement's `from_seq` is where signed audit
  history starts (entries before it were carried over from an unsigned store).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.store import crypto
from infoshare_desktop.store.signing import Context, Signer, canonical, verify

GENESIS = b"\x00" * 32
VERSION = 1


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
    #: Per user: (from audit seq, signing key) in the order certified.
    sign_keys: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    head_n: int = 0
    head_hash: bytes = GENESIS

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
        """The key `user_id` signed audit entry `seq` with, as certified then."""
        key = None
        for from_seq, public in self.sign_keys.get(user_id, []):
            if from_seq < seq:
                key = public
        return key

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
    """Read and check every grant (on a DB-API connection, inside its transaction)."""
    trust = Trust(store_id)
    if not has_table(raw):
        return trust
    expected = 1
    for n, body, signature in raw.execute(
        "SELECT n, body, signature FROM grant_statement ORDER BY n"
    ):
        body, signature = bytes(body), bytes(signature)
        if n != expected:
            trust.problems.append(f"grant {expected} is missing (found {n} next)")
        problem = _apply(trust, n, body, signature)
        if problem:
            trust.problems.append(f"grant {n} {problem}: it grants nothing")
        trust.head_n, trust.head_hash, expected = n, _hash(body, signature), n + 1
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
    if kind != "account" or not isinstance(subject, str) or not isinstance(issuer, str):
        return "is of an unknown kind"
    if not trust.established:
        return "comes before the root of trust"
    if not trust.may_issue(issuer):
        return "was signed by an account that is not an active administrator"
    issuer_key = trust.root_public if issuer == trust.root_id else None
    if issuer_key is None:
        issuer_key = trust.accounts[issuer].sign_public
    if issuer_key is None or not verify(issuer_key, Context.GRANT, body, signature):
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
    if sign_public is not None and (before is None or before.sign_public != sign_public):
        trust.sign_keys.setdefault(subject, []).append((from_seq, sign_public))
    return None


def _audit_seq(raw: Any) -> int:
    row = raw.execute("SELECT seq FROM audit_state WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def _append(raw: Any, signer: Signer, statement: dict[str, Any]) -> int:
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
    raw.execute(
        "INSERT INTO grant_statement (n, body, signature) VALUES (?, ?, ?)",
        (n, body, signer.sign(Context.GRANT, body)),
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


#: Audit actions whose grant is signed in the same transaction, just before or after
#: the entry (a role change may be recorded without one after an interruption).
_GRANTED_ACTIONS = ("account.create", "account.disable", "account.enable", "account.revoke")


def missing_grant(raw: Any, trust: Trust, user_id: str) -> int | None:
    """The audit entry of an account change whose grant is not there (the newest grant
    of the account is older than it: removed), or None. One indexed lookup."""
    grant = trust.account(user_id)
    if trust.signed_from is None:
        return None
    row = raw.execute(
        "SELECT max(seq) FROM audit_event WHERE target_kind = 'user' AND target_id = ?"
        f" AND action IN ({', '.join('?' for _ in _GRANTED_ACTIONS)})",
        (user_id, *_GRANTED_ACTIONS),
    ).fetchone()
    seq = row[0] if row else None
    if seq is None or seq < trust.signed_from:
        return None
    if grant is None or seq > grant.from_seq + 1:
        return int(seq)
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
