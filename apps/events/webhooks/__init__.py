"""Outbound webhooks: a tenant's endpoints, signed deliveries and their attempts."""
