"""What a family posted after their session had ended, kept for a short time so that signing back in
loses nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow


class KeptAnswers(Model):
    __tablename__ = "kept_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The page the family was on (a path of this site served to a GET), where the answers go back.
    page: Mapped[str] = mapped_column(String(500))
    # [[name, value], ...] in the order posted, without passwords, codes or CSRF tokens.
    fields: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
