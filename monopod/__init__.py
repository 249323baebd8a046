"""MonoPod: a multi-tenant business suite on Django."""

from monopod.celery import app as celery_app

__all__ = ["celery_app"]
