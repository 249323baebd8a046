"""Role checks for server-rendered views."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest


class RolePermissionMixin(PermissionRequiredMixin):
    """A page needs the permissions its roles grant: ``permission_required`` for reading, and
    ``write_permission_required`` (defaulting to the change permission) for any other method.

    Anonymous users are sent to sign in; signed-in users without the permission get 403.
    """

    write_permission_required: str | tuple[str, ...] | None = None

    def get_permission_required(self) -> tuple[str, ...]:
        read = super().get_permission_required()
        request: HttpRequest = self.request  # type: ignore[attr-defined]
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return tuple(read)
        write = self.write_permission_required or tuple(p.replace(".view_", ".change_") for p in read)
        return (write,) if isinstance(write, str) else tuple(write)
