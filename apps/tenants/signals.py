"""Signals of the tenants app; ``tenant_created`` feeds ``tenants.tenant.created`` to the event backbone."""

from django.dispatch import Signal

# Sent once, after commit, when a tenant becomes active for the first time. Arguments: tenant.
tenant_created = Signal()

# Sent inside the transaction of the change (in the public schema) when a tenant is suspended,
# resumed or deleted.
# Arguments: tenant, before, after (statuses).
tenant_status_changed = Signal()

# Sent inside the transaction of the change (in the public schema) when a tenant's Admin moves it to
# another region. Arguments: tenant, changes ({field: [before, after]}), actor (the user).
tenant_region_changed = Signal()
