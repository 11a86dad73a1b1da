"""Registered LMS platforms (issuer + client_id) and their deployments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.extensions import Model
from lti_tool.models.base import utcnow


class Platform(Model):
    """One tool registration on one LMS: issuer + client_id is the identity.

    Canvas and Blackboard use one issuer for every school, so several rows may
    share an issuer with different client_ids.
    """

    __tablename__ = "platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255), index=True)
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    product: Mapped[str] = mapped_column(String(40), default="generic")
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    key_set_url: Mapped[str] = mapped_column(String(1024))
    token_audience: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    # "active" accepts launches; "pending" waits for an admin; "disabled" refuses.
    status: Mapped[str] = mapped_column(String(20), default="active")
    # The OAuth scopes the platform granted at dynamic registration (space-separated, as
    # it answered); None when registered by hand (then only its launches tell).
    granted_scopes: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A re-registration of this issuer + client_id waiting for an admin: the endpoints
    # and scopes it proposed (JSON). The row itself changes only on approval.
    pending_update: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan"
    )

    def as_dict(self) -> dict:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "name": self.name,
            "product": self.product,
            "auth_login_url": self.auth_login_url,
            "auth_token_url": self.auth_token_url,
            "key_set_url": self.key_set_url,
            "token_audience": self.token_audience,
            "status": self.status,
            "granted_scopes": self.granted_scopes.split() if self.granted_scopes is not None
            else None,
            "deployments": [d.deployment_id for d in self.deployments],
            "pending_update": self.pending_update,
        }


class Deployment(Model):
    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[Platform] = relationship(back_populates="deployments")
