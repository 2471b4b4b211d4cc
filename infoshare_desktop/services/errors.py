"""The services' error base, and the errors a caller may need to tell apart (re-exported
for the UI).

Every error a user can act on derives from `UserFacingError`; the interface catches that
one root (through `ui.feedback.user_errors`), never a list of layers' bases. The service
modules' own errors (`AccountError`, `RecordNotFound`, `PossibleDuplicate`...) derive
from `ServiceError` and are imported from their modules: this module imports no service,
so each of them can import it.
"""

from infoshare_desktop.domain.errors import (
    ChecklistRefused,
    DomainError,
    InvalidTextError,
    UserFacingError,
)
from infoshare_desktop.reports.errors import ReportError, SummaryCancelled
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
    OperationCancelled,
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
    StoreUpdateFailedError,
    TooSoonError,
    UnknownUserError,
    UpgradeNeeded,
    WrongPasswordError,
)
from infoshare_desktop.store.keyslots import PasswordRejected


class ServiceError(UserFacingError):
    """Base of the services' own errors: a use case that cannot be carried out."""


__all__ = [
    "AccountDisabledError",
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
    "OperationCancelled",
    "PasswordRejected",
    "PermissionDenied",
    "ReportError",
    "RollbackDetectedError",
    "ServiceError",
    "SetupCodeRequired",
    "StoreBusyError",
    "StoreDamagedError",
    "StoreError",
    "StoreExistsError",
    "StoreMissingError",
    "StoreReadOnlyError",
    "StoreTooNewError",
    "StoreUpdateFailedError",
    "SummaryCancelled",
    "TooSoonError",
    "UnknownUserError",
    "UpgradeNeeded",
    "UserFacingError",
    "WrongPasswordError",
]
