"""How allauth behaves in MonoPod: nobody registers themselves on a site; staff join by invitation."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Tenants are made by the public signup, their staff by an Admin's invitation, operators by ops."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
