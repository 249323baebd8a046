from tests.tenants.committed import committed  # noqa: F401 - fixture for the tests that run other processes
