"""Assess stage: rules and policy turn references, identities and artifacts into findings."""
