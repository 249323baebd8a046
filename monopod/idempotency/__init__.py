"""``Idempotency-Key`` on API POSTs: the record of first responses, and the rule that replays them.

An app of its own (its table lives in each tenant's schema) kept apart from ``monopod.api``, whose
package imports DRF's views and so cannot be loaded while Django populates its apps.
"""
