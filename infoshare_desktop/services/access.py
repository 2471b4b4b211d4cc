"""Role checks: every service asks here before it touches a record."""

from __future__ import annotations

from infoshare_desktop.domain.accounts import Role
from infoshare_desktop.store.core import SignedIn, Store
from infoshare_desktop.store.errors import PermissionDenied, StoreError


def signed_in(store: Store) -> SignedIn:
    if not store.is_open or store.user is None:
        raise StoreError("The store is locked. Unlock it to continue.")
    return store.user


def require(store: Store, *roles: Role) -> SignedIn:
    """The signed-in user, if they hold at least one of `roles`."""
    user = signed_in(store)
    if roles and not any(user.has(r) for r in roles):
        names = " or ".join(r.label.lower() for r in roles)
        raise PermissionDenied(f"This needs the {names} role, which your account does not have.")
    return user
