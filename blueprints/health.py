"""GET /healthz for a load balancer: 200 when the database and Redis answer, 503 when either does not."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from extensions import limiter
from services import health

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    database, backlog = health.database_status()
    stores = current_app.extensions.setdefault("health_redis_stores", {})
    redis = health.redis_status(current_app.config, stores)
    healthy = database == health.OK and redis != health.UNREACHABLE
    body = {"database": database, "redis": redis, "outbox_backlog": backlog}
    return jsonify(body), 200 if healthy else 503
