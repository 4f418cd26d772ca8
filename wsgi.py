"""WSGI entry point for gunicorn and the flask CLI."""

from forum import create_app

app = create_app()
