"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi run`."""

from community import create_app

try:
    app = create_app()
except RuntimeError as error:  # a setting missing or out of range: say which, without a traceback
    raise SystemExit(f"Community cannot start: {error}") from None
