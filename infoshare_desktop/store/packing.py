"""Stored payloads, packed: the bytes a row keeps for a payload (an envelope's, a saved
record's content) are its JSON compressed with zlib's raw deflate under a fixed preset
dictionary (`DICTIONARY_1`: the payloads' keys and codes, never any text), behind a
one-byte mark. Signatures, chains and digests are over the canonical bytes, never these:
a payload read back is unpacked first (`unpack`), so what is signed, verified and
compared is unchanged, and two machines may pack the same payload differently.

`saved_record.payload` is packed and unpacked by SQL functions registered on every
connection (`register`: `packed(text)` and `unpacked(stored)`), so that its triggers and
queries read its JSON as before: inserts write `packed(?)`, reads `unpacked(payload)`.

A payload's JSON starts with "{", never with the mark, so a payload stored unpacked (a
store from before packing, a carried row, a row planted by hand) reads as itself. The
dictionary can never change: a new one would be a new mark.
"""

from __future__ import annotations

import zlib
from typing import Any

#: The first byte of a packed payload.
MARK_1 = 0x01
#: A packed payload larger than this unpacked is damaged (a deflate bomb in a planted row).
MAX_UNPACKED = 64 * 1024 * 1024

#: What zlib may refer back to before each payload's first byte: every kind's canonical
#: JSON with its text blanked (its keys, codes and the shape of its times). Never changed.
DICTIONARY_1 = (
    '{"created_at":"2026-01-01T00:00:00.000000+00:00","draft":{"case_reference":"","date_of_b'
    'irth":"2026-01-01","display_name":"","identifier_reason":"more_detrimental","identifier_'
    'reason_text":"","nhs_number":"","other_identifiers":"","restricted":false},"id":"","iden'
    'tifier":{"id":"","nhs_number":null,"reason":"more_detrimental","reason_text":""}}{"conte'
    'nt":{"acknowledged":true,"acknowledged_at":"2026-01-01T00:00:00.000000+00:00","asked":""'
    ',"due_at":null,"late_entry_reason":"","method":"secure_email","method_other":"","rating"'
    ':"red","received_at":"2026-01-01T00:00:00.000000+00:00","requester_name":"","requester_o'
    'rganisation":"","requester_reference":"","source":"other_agency"},"harm_concern":false,"'
    'id":"","late":false,"occurred_at":"2026-01-01T00:00:00.000000+00:00","recorded_at":"2026'
    '-01-01T00:00:00.000000+00:00","review":null,"subkind":"red","summary":"","target_id":nul'
    'l,"without_consent":false}{"content":{"answered_by":[{"description":"","record_id":""}],'
    '"feedback":"","late_entry_reason":"","outcome":"shared_in_part","reconsider_if_new":null'
    ',"replied_at":"2026-01-01T00:00:00.000000+00:00","request":{"description":"","record_id"'
    ':""}},"harm_concern":false,"id":"","late":false,"occurred_at":"2026-01-01T00:00:00.00000'
    '0+00:00","recorded_at":"2026-01-01T00:00:00.000000+00:00","review":null,"subkind":"share'
    'd_in_part","summary":"","target_id":null,"without_consent":false}{"content":{"advice":""'
    ',"identity_withheld":true,"sought_at":"2026-01-01T00:00:00.000000+00:00","sought_from_ro'
    'le":""},"harm_concern":false,"id":"","late":false,"occurred_at":"2026-01-01T00:00:00.000'
    '000+00:00","recorded_at":"2026-01-01T00:00:00.000000+00:00","review":null,"subkind":"adv'
    'ice","summary":"","target_id":null,"without_consent":false}{"content":{"reason":"respons'
    'e_to_review","recipients_told":true,"recipients_told_notes":"","target_id":"","target_wa'
    's_shared":true,"text":""},"harm_concern":false,"id":"","late":false,"occurred_at":"2026-'
    '01-01T00:00:00.000000+00:00","recorded_at":"2026-01-01T00:00:00.000000+00:00","review":n'
    'ull,"subkind":"response_to_review","summary":"","target_id":"","without_consent":false}{'
    '"content":{"comment":"","outcome":"endorsed","target_id":""},"harm_concern":false,"id":"'
    '","late":false,"occurred_at":"2026-01-01T00:00:00.000000+00:00","recorded_at":"2026-01-0'
    '1T00:00:00.000000+00:00","review":null,"subkind":"endorsed","summary":"","target_id":"",'
    '"without_consent":false}{"content":{"asked":"parent_carer","asked_name":"","competence_c'
    'onsidered":true,"competence_notes":"","how":"written","limits":"","occurred_at":"2026-01'
    '-01T00:00:00.000000+00:00","outcome":"explicit","review_date":null,"scope_agencies":["",'
    '""],"scope_information":"","scope_purposes":["",""],"supersedes_ids":[],"valid_until":"2'
    '026-01-01","views_expressed":""},"harm_concern":false,"id":"","late":false,"occurred_at"'
    ':"2026-01-01T00:00:00.000000+00:00","recorded_at":"2026-01-01T00:00:00.000000+00:00","re'
    'view":null,"subkind":"explicit","summary":"","target_id":null,"without_consent":false}{"'
    'content":{"advice_from_role":"","advice_identity_withheld":null,"advice_outcome":"","adv'
    'ice_sought":false,"advice_when":null,"categories":["general_personal"],"channel_secure":'
    'true,"child_competence_considered":null,"confidentiality":"yes","confidentiality_reason"'
    ':"","consent_decision_id":null,"consent_from":"parent_carer","consent_purpose":"","conse'
    'nt_status":"explicit","could_less_be_shared":false,"criteria":{"accurate":{"confirmed":t'
    'rue,"rationale":""},"adequate":{"confirmed":true,"rationale":""},"necessary":{"confirmed'
    '":true,"rationale":""},"proportionate":{"confirmed":true,"rationale":""},"relevant":{"co'
    'nfirmed":true,"rationale":""},"secure":{"confirmed":true,"rationale":""},"timely":{"conf'
    'irmed":true,"rationale":""}},"duty_detriment":"","fact_or_opinion":"both","ground_refere'
    'nces":{},"grounds":["consent"],"identities_protected":null,"in_doubt":false,"individual_'
    'told":true,"information_shared":"","initiation":"proactive","insecure_reason":"","kind":'
    '"received","late_entry_reason":"","method":"meeting","method_other":"","minimisation_not'
    'es":"","no_time_for_advice_reason":"","not_sought_other":"","not_sought_reasons":[],"not'
    '_told_reason":"","occurred_at":"2026-01-01T00:00:00.000000+00:00","protected_identities"'
    ':"","public_interest":[],"purpose":"","reasons":"","recipient_verified":true,"recipients'
    '":[{"name":"","organisation":"","organisation_type":"","role":""}],"request_details":"",'
    '"requester_identity_checked":null,"requester_name":"","requester_organisation":"","reque'
    'ster_organisation_type":null,"requester_reference":"","requester_told_reasons":null,"saf'
    'ety_wellbeing":"","service_agreement":null,"significant_harm_concern":false,"told_detail'
    's":"","urgency":"urgent","views_child_family":"","weighing":"","withheld":""},"harm_conc'
    'ern":false,"id":"","late":false,"occurred_at":"2026-01-01T00:00:00.000000+00:00","record'
    'ed_at":"2026-01-01T00:00:00.000000+00:00","review":null,"subkind":"received","summary":"'
    '","target_id":null,"without_consent":false}'
).encode("ascii")


def pack(canonical: bytes) -> bytes:
    """The bytes a row stores for this canonical JSON payload."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, DICTIONARY_1)
    return bytes((MARK_1,)) + packer.compress(canonical) + packer.flush()


def unpack(stored: bytes) -> bytes:
    """The canonical payload a row stores (ValueError if its packed bytes are damaged)."""
    if not stored or stored[0] != MARK_1:
        return stored
    unpacker = zlib.decompressobj(-15, DICTIONARY_1)
    try:
        out = unpacker.decompress(memoryview(stored)[1:], MAX_UNPACKED)
    except zlib.error as exc:
        raise ValueError("a packed payload is damaged") from exc
    if unpacker.unconsumed_tail or not unpacker.eof or unpacker.unused_data:
        raise ValueError("a packed payload is damaged")
    return out


def packed_text(text: str | bytes | None) -> bytes | None:
    """SQL `packed(x)`: a payload's JSON as a row stores it (NULL stays NULL)."""
    if text is None:
        return None
    return pack(text.encode("utf-8") if isinstance(text, str) else text)


#: The last value `unpacked` read and its JSON: a row's triggers read its payload two or
#: three times over (json_valid, then json_extract) and unpack it once.
_last_unpacked: tuple[bytes, str] = (b"", "")


def unpacked_text(stored: str | bytes | None) -> str | bytes | None:
    """SQL `unpacked(x)`: the JSON a row stores (a damaged packed value is returned as it
    is, so that a reader finds no JSON in it and verify names the row as edited)."""
    global _last_unpacked
    if not isinstance(stored, bytes) or not stored or stored[0] != MARK_1:
        return stored
    last = _last_unpacked
    if stored == last[0]:
        return last[1]
    try:
        text = unpack(stored).decode("utf-8")
    except ValueError:
        return stored
    _last_unpacked = (stored, text)
    return text


def register(conn: Any) -> None:
    """Give a DB-API connection (sqlcipher3, sqlite3) the `packed` and `unpacked` functions."""
    conn.create_function("packed", 1, packed_text, deterministic=True)
    conn.create_function("unpacked", 1, unpacked_text, deterministic=True)
