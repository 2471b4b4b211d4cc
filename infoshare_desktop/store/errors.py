"""Store errors: each says plainly what is wrong and what the user can do.

`StoreError` subclasses are *known* failures (the environment's, or the user's, fault),
shown to the user as they are; anything else escaping the store is a bug.
Messages never contain record content, user names or file paths with personal data.
"""

from __future__ import annotations

from infoshare_desktop.domain.errors import UserFacingError


class StoreError(UserFacingError):
    """Base class of the store's errors; `user_message` is fit to show a practitioner."""

    user_message = "The store could not be used."


class UnknownUserError(StoreError):
    user_message = "There is no account with that user name on this computer. Check the spelling."


class WrongPasswordError(StoreError):
    user_message = (
        "The password is not right. Check Caps Lock and the keyboard layout and try again."
    )

    def __init__(
        self, failures: int = 0, delay_seconds: float = 0.0, *, not_recorded: str = ""
    ) -> None:
        self.failures = failures
        self.delay_seconds = delay_seconds
        self.recorded = not not_recorded
        msg = self.user_message
        remaining = max(0, 10 - failures)
        if not_recorded:
            msg += (
                f" This failed attempt could not be recorded, because {not_recorded}; "
                "nothing has been changed. Ask your administrator."
            )
        elif failures >= 5 and remaining:
            msg += f" After {remaining} more failed attempts the account will be locked."
        super().__init__(msg)


class TooSoonError(StoreError):
    """Another attempt before the growing delay after repeated failures has passed."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(
            f"Too many failed attempts. Wait {max(1, round(wait_seconds))} seconds, then try again."
        )


class AccountLockedError(StoreError):
    user_message = (
        "This account is locked after too many failed attempts. Ask an administrator to unlock it."
    )


class AccountDisabledError(StoreError):
    user_message = "This account has been disabled. Ask an administrator if you need access."


class SetupCodeRequired(StoreError):
    """The account was created with a one-time code; the user must now choose a password."""

    user_message = "Welcome. Choose your own password to finish setting up your account."


class StoreMissingError(StoreError):
    user_message = (
        "The database file is missing or empty, but this computer has a key store for it. "
        "Nothing has been created over it. Restore the latest backup, or ask your administrator."
    )


class NotEncryptedError(StoreError):
    user_message = (
        "The database file is not encrypted. This is not a file this application wrote; "
        "it has been left untouched. Ask your administrator."
    )


class StoreDamagedError(StoreError):
    user_message = (
        "The database file is damaged and cannot be opened. It has been left untouched. "
        "Restore the latest backup (infoshare-desktop restore), or ask your administrator."
    )


class UpgradeNeeded(StoreError):
    """The password was right, and the store's schema is behind this version's: it must
    be backed up and updated before it is used (minutes for a large store). Raised by a
    sign-in asked not to do that itself (`upgrade=False`), before the backup or any change
    to the schema, so that a window can run it off its thread, behind a progress bar."""

    user_message = (
        "This store must be updated for this version of InfoShare Desktop before it can "
        "be used. A backup of it is made first."
    )


class StoreUpdateFailedError(StoreError):
    """The schema update at sign-in failed (its transaction rolled back): a bug in an
    update, or a version record another program changed so that the updates do not fit
    what is there."""

    user_message = (
        "This store could not be updated for this version of InfoShare Desktop, so it "
        "cannot be opened. Nothing in it has been changed. The file may have been altered "
        "by another program: ask your administrator."
    )


class StoreTooNewError(StoreError):
    user_message = (
        "This store was written by a newer version of InfoShare Desktop. "
        "Install the newer version to open it; nothing has been changed."
    )


class KeystoreDamagedError(StoreError):
    user_message = (
        "The key store file is damaged or not one this application wrote, so the database "
        "cannot be unlocked. It has been left untouched. Restore the latest backup."
    )


class StoreExistsError(StoreError):
    user_message = "A store already exists in this data folder; it has not been changed."


class DiskFullError(StoreError):
    user_message = (
        "The disk is full, so nothing could be saved. Your typing is kept; free some space "
        "and try again."
    )


class StoreBusyError(StoreError):
    user_message = "The store is busy in another window or program. Wait a moment and try again."


class StoreReadOnlyError(StoreError):
    user_message = "The data folder cannot be written to. Ask your administrator."


class OperationCancelled(StoreError):
    """A backup, restore, key rotation or verification stopped at the user's request:
    its partial files are removed and the store is as it was."""

    user_message = "Cancelled. Nothing has been changed."


class PermissionDenied(StoreError):
    user_message = "Your account's roles do not allow this."


class AuditVerificationError(StoreError):
    user_message = "The audit trail does not verify: it may have been altered."


class RollbackDetectedError(StoreError):
    """The files are older than ones this account has already seen: something was put
    back (or a journal file deleted), and saved work would silently be missing."""

    user_message = (
        "The database is older than the one this account last saw: records saved since "
        "then are missing. An older copy of the database may have been put back, or its "
        "journal file (infoshare.db-wal) deleted. Nothing has been changed. Do not go on "
        "working in it: restore the latest backup (infoshare-desktop restore), or ask your "
        "administrator."
    )
    keystore_message = (
        "The key store is older than the one this database has already seen: an older copy "
        "of keystore.json has been put back (undoing password changes or lock-outs). Nothing "
        "has been changed. Restore the latest backup (infoshare-desktop restore), or ask "
        "your administrator."
    )
    replaced_message = (
        "The database does not match the one this account last saw: its history has been "
        "changed or replaced by another copy. Nothing has been changed. Restore the latest "
        "backup (infoshare-desktop restore), or ask your administrator."
    )
    removed_message = (
        "This account's record of what it last saw of the database has been removed, so the "
        "database cannot be trusted to be complete: an older copy may have been put back. "
        "Nothing has been changed. Restore the latest backup (infoshare-desktop restore), or "
        "ask your administrator."
    )
    tampered_message = (
        "This account's record of what it last saw of the database has been altered, so the "
        "database cannot be trusted to be complete. Nothing has been changed. Restore the "
        "latest backup (infoshare-desktop restore), or ask your administrator."
    )


class StaleKeySlotError(RollbackDetectedError):
    """The account's key slot is older than the one the database recorded for it."""

    user_message = (
        "Your account's entry in the key store (keystore.json) is older than the one this "
        "database has already seen: an older copy of keystore.json has been put back, which "
        "would bring back an earlier password. Sign-in is refused and the attempt has been "
        "recorded. Ask an administrator: they can restore the latest backup, or reset your "
        "password."
    )


class IdentityRefusedError(StoreError):
    """The key slot or the grants fail the signed-identity checks: an old copy of a slot,
    a swapped key, a slot nobody certified, or grants replaced or removed."""

    user_message = (
        "This account's key is not the one its signed grant certifies (an old copy of the "
        "key store, or a key slot that was changed), so it cannot sign in. Nothing has "
        "been changed. Ask an administrator to reset your password."
    )
    grants_message = (
        "The accounts recorded in this database are not the ones your key was given: they "
        "have been replaced or removed, so nothing in it can be trusted. Nothing has been "
        "changed. Restore the latest backup (infoshare-desktop restore), or ask your "
        "administrator."
    )
    grant_missing_message = (
        "Your account's latest signed grant is missing or no longer verifies (the signed "
        "accounts in this database were changed outside the application), so it cannot "
        "sign in. Nothing has been changed. Ask an administrator to run Verify and restore "
        "the latest backup."
    )
    carry_over_message = (
        "This store is being moved to signed accounts: an administrator must sign in once "
        "to finish it. Try again after that."
    )
