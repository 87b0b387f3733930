"""Placeholder for ES201/ES202 (routing-table rules), filled in by the routing-tables work."""
