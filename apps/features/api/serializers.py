"""Serializers of the features API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.features.flags import SOURCE_DEFAULT, SOURCE_PLAN, SOURCE_REGION, SOURCE_TENANT
from apps.features.regions import REGIONS, Region


class FeatureSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    description = serializers.CharField()
    enabled = serializers.BooleanField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[SOURCE_TENANT, SOURCE_PLAN, SOURCE_REGION, SOURCE_DEFAULT]
    )


class FeatureListSerializer(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField()
    results = FeatureSerializer(many=True)


class VatSerializer(serializers.Serializer):  # type: ignore[type-arg]
    standard_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    reduced_rates = serializers.DictField(child=serializers.DecimalField(max_digits=5, decimal_places=2))
    prices_include_tax = serializers.BooleanField()


class NumberFormatSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decimal_separator = serializers.CharField()
    grouping_separator = serializers.CharField(allow_blank=True)


class ComplianceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    features = serializers.ListField(child=serializers.CharField())
    retention_days = serializers.IntegerField()


class RegionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The tenant's region and what its bundle sets."""

    region = serializers.ChoiceField(choices=REGIONS, source="name")
    languages = serializers.ListField(child=serializers.CharField())
    default_language = serializers.CharField()
    text_direction = serializers.CharField()
    currency = serializers.CharField()
    number_format = NumberFormatSerializer()
    time_zone = serializers.CharField()
    vat = VatSerializer()
    compliance = serializers.SerializerMethodField()
    notification_channels = serializers.ListField(child=serializers.CharField())
    low_bandwidth = serializers.BooleanField()

    def get_compliance(self, region: Region) -> dict[str, Any]:
        return {"features": sorted(region.compliance.features), "retention_days": region.compliance.retention_days}


class RegionChangeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    region = serializers.ChoiceField(choices=REGIONS)
