from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from apps.tenants.choices import REGION_CHOICES
from apps.tenants.signup import clean_password, clean_slug


class SignupSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=64)
    region = serializers.ChoiceField(choices=REGION_CHOICES)
    admin_email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)

    def validate_slug(self, value: str) -> str:
        try:
            return clean_slug(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            clean_password(attrs["password"], email=attrs["admin_email"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from None
        return attrs


class SignupResultSerializer(serializers.Serializer[dict[str, Any]]):
    slug = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()
    status = serializers.CharField()
    login_url = serializers.URLField()
