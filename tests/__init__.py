"""MonoPod's test suite."""

import pytest

# The shared API suite's asserts explain their failures as a test module's do.
pytest.register_assert_rewrite("tests.api_cases")
