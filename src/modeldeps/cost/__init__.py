"""Cost: closed-API spend against open-weight hosts and self-hosting."""
