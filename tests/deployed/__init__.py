"""Deployed-shape tests: the site as `make run` starts it, driven over real HTTP (see conftest.py)."""
