"""The load benchmark: many signed-in families on gunicorn, beside a hello app on the same settings."""
