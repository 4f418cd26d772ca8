"""Domain services: HTTP-free functions that check permissions, change state and commit once."""
