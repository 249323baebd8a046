"""Password hashing: Argon2id at OWASP's recommended minimum (docs/decisions/0003-password-hashing.md)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class MonoPodArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB of memory, 2 passes, 1 lane: about 25 ms here, where Django's defaults
    (100 MiB, 2 passes, 8 lanes) take about 140 ms and PBKDF2's 1,000,000 rounds about 370 ms.

    Hashes keep Django's ``argon2`` prefix and carry their own parameters, so hashes made with other
    parameters still verify (and are re-hashed with these at the next sign-in)."""

    memory_cost = 19_456
    time_cost = 2
    parallelism = 1
