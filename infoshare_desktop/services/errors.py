"""The errors a caller of the services may need to tell apart (re-exported for the UI)."""

from infoshare_desktop.domain.errors import ChecklistRefused, DomainError, InvalidTextError
from infoshare_desktop.services.accounts import AccountError
from infoshare_desktop.store.backup import (
    BackupInvalidError,
    BackupOfAnotherStoreError,
    BackupPasswordError,
    CurrentKeystoreUnreadableError,
)
from infoshare_desktop.store.errors import (
    AccountDisabledError,
    AccountLockedError,
    DiskFullError,
    KeystoreDamagedError,
    NotEncryptedError,
    PermissionDenied,
    RollbackDetectedError,
    SetupCodeRequired,
    StoreBusyError,
    StoreDamagedError,
    StoreError,
    StoreExistsError,
    StoreMissingError,
    StoreReadOnlyError,
    StoreTooNewError,
    TooSoonError,
    UnknownUserError,
    WrongPasswordError,
)
from infoshare_desktop.store.keyslots import PasswordRejected

KNOWN_ERRORS = (StoreError, DomainError)

__all__ = [
    "KNOWN_ERRORS",
    "AccountDisabledError",
    "AccountError",
    "AccountLockedError",
    "BackupInvalidError",
    "BackupOfAnotherStoreError",
    "BackupPasswordError",
    "ChecklistRefused",
    "CurrentKeystoreUnreadableError",
    "DiskFullError",
    "DomainError",
    "InvalidTextError",
    "KeystoreDamagedError",
    "NotEncryptedError",
    "PasswordRejected",
    "PermissionDenied",
    "RollbackDetectedError",
    "SetupCodeRequired",
    "StoreBusyError",
    "StoreDamagedError",
    "StoreError",
    "StoreExistsError",
    "StoreMissingError",
    "StoreReadOnlyError",
    "StoreTooNewError",
    "TooSoonError",
    "UnknownUserError",
    "WrongPasswordError",
]
