"""The yardstick: the least a Flask app can do for a request, served by the same gunicorn settings as
the portal, so the portal's cost is read as a share of what the machine and gunicorn allow."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello"
