"""Tenant slugs: what an organisation may call itself, and the schema name that follows from it.

A slug is 3 to 40 lower-case letters, digits and hyphens, starting with a letter and not ending with a
hyphen. Its schema name swaps hyphens for underscores, so every valid slug is a valid, unquoted-safe
PostgreSQL identifier; schema names still only ever reach SQL as quoted identifiers.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
MIN_LENGTH, MAX_LENGTH = 3, 40

RESERVED_SLUGS = frozenset(
    {
        # Host names and paths of the platform itself.
        "public",
        "www",
        "admin",
        "api",
        "app",
        "apps",
        "static",
        "media",
        "assets",
        "cdn",
        "mail",
        "smtp",
        "imap",
        "ftp",
        "ns1",
        "ns2",
        "signup",
        "login",
        "logout",
        "account",
        "accounts",
        "auth",
        "health",
        "metrics",
        "status",
        "docs",
        "help",
        "support",
        "billing",
        "blog",
        "dev",
        "test",
        "staging",
        "monopod",
        "root",
        "system",
        "internal",
        # PostgreSQL's own schemas and roles.
        "information-schema",
        "postgres",
        "template0",
        "template1",
        # SQL keywords that make confusing identifiers.
        "all",
        "alter",
        "and",
        "any",
        "as",
        "asc",
        "between",
        "by",
        "case",
        "cast",
        "check",
        "column",
        "constraint",
        "create",
        "cross",
        "current",
        "database",
        "default",
        "delete",
        "desc",
        "distinct",
        "drop",
        "else",
        "end",
        "except",
        "exists",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "index",
        "inner",
        "insert",
        "intersect",
        "into",
        "is",
        "join",
        "key",
        "left",
        "like",
        "limit",
        "not",
        "null",
        "offset",
        "on",
        "or",
        "order",
        "outer",
        "primary",
        "references",
        "revoke",
        "right",
        "role",
        "schema",
        "select",
        "session",
        "set",
        "table",
        "then",
        "to",
        "true",
        "truncate",
        "union",
        "unique",
        "update",
        "user",
        "using",
        "values",
        "view",
        "when",
        "where",
        "with",
    }
)
# Prefixes of schemas MonoPod makes for itself (warm pool, template) and of PostgreSQL's own.
RESERVED_PREFIXES = ("pg-", "pool-", "tenant-template")


def slug_to_schema_name(slug: str) -> str:
    return slug.replace("-", "_")


def validate_slug(slug: str) -> str:
    """Return the slug when it may name a new tenant; raise ValidationError saying why not."""
    if not MIN_LENGTH <= len(slug) <= MAX_LENGTH:
        raise ValidationError(f"Use {MIN_LENGTH} to {MAX_LENGTH} characters (this one has {len(slug)}).", code="length")
    if not SLUG_PATTERN.match(slug):
        raise ValidationError(
            "Use lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen.",
            code="invalid",
        )
    if slug in RESERVED_SLUGS or slug.startswith(RESERVED_PREFIXES):
        raise ValidationError("This name is reserved; choose another.", code="reserved")
    return slug
