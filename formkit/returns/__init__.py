"""Returned score sheets: intake gates, isolated reading, identity, interpretation, the method's rules, a batch."""
