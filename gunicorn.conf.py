"""gunicorn's settings for the portal, read from this file when gunicorn starts in this folder:

    gunicorn 'app:create_app()'

Each value can be changed from the environment (the names below) without editing this file; any other
gunicorn setting can be added with GUNICORN_CMD_ARGS. The portal's own settings are FLASK_* variables
(README, "Settings").
"""

from __future__ import annotations

import multiprocessing
import os

# Where to listen: the TLS-terminating proxy in front connects here.
bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")

# Sync workers, one request each: pages are short and hashing a password (argon2id, about 20 ms and
# 19 MiB) keeps a core busy, so more threads would not serve more sign-ins. The proxy in front buffers
# slow clients and uploads, so a worker is never held by a slow connection.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("PORTAL_THREADS") or 1)

# A request may upload up to 20 files, each scanned by clamd (FLASK_CLAMD_TIMEOUT_SECONDS): a worker
# silent for longer than this is stopped and replaced.
timeout = int(os.environ.get("PORTAL_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5

# Workers are replaced after a number of requests, so memory taken by an unusual upload is given back.
# A new worker costs about 0.8 s of CPU (imports and create_app) and starts with cold caches: every 1,000
# requests that was about 1 ms a request at full load, so a worker now serves 20,000 (a minute or two at
# full load, hours on an ordinary day).
max_requests = 20000
max_requests_jitter = 2000

# Each worker builds the app after it starts, so it has its own database connections.
preload_app = False

# The client's address and scheme are read in one place: the app's FLASK_PROXY_FIX_HOPS, which trusts
# exactly that many proxies. gunicorn itself trusts no forwarded header, from any address.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

# Requests are logged by the app; gunicorn's access log would repeat them, with client addresses not
# yet corrected for the proxy. gunicorn's own messages (start, worker restarts) go to standard error.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")
proc_name = "send-portal"

# Worker heartbeats in memory, not on a disk that may be slow or shared (containers).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
