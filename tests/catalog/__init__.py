"""A representative resource for the API framework's own tests and benchmarks.

Installed only by the test and benchmark settings. It is declared the way a domain module declares
a resource (model, filterset, serializer, a few viewset lines), so the shared API test suite
(tests/api_cases.py) and the list/detail benchmark exercise exactly what a module gets.
"""
