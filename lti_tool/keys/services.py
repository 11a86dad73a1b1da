"""Create, rotate, retire and publish the tool's RSA keys.

Rotation keeps the previous key published (status "published") so platforms
that cached our JWKS can still verify what it signed until an admin retires it.
"""

from __future__ import annotations

from typing import Any, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import ToolKey
from lti_tool.models.base import utcnow


def _new_key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private_pem, public_pem


def public_jwk(public_pem: str) -> dict[str, Any]:
    """The JWK of a public key; ``kid`` is its RFC 7638 thumbprint (stable, derived)."""
    # pylti1p3 hints a Mapping; it returns the dict it built with json.loads.
    return cast(dict[str, Any], Registration.get_jwk(public_pem))


def create_key(status: str = "active") -> ToolKey:
    private_pem, public_pem = _new_key_pair()
    key = ToolKey(kid=public_jwk(public_pem)["kid"], private_pem=private_pem,
                  public_pem=public_pem, status=status)
    db.session.add(key)
    db.session.commit()
    return key


def signing_key() -> ToolKey:
    """The newest active key, created on first use."""
    key = db.session.scalars(
        select(ToolKey).where(ToolKey.status == "active").order_by(ToolKey.id.desc())
    ).first()
    return key or create_key()


def rotate() -> ToolKey:
    """A new active key; the old active ones stay published for verification."""
    for old in db.session.scalars(select(ToolKey).where(ToolKey.status == "active")):
        old.status = "published"
    db.session.flush()
    return create_key()


def retire(kid: str) -> ToolKey:
    key = db.session.scalars(select(ToolKey).where(ToolKey.kid == kid)).one_or_none()
    if key is None:
        raise LookupError(f"no key with kid {kid}")
    if key.status == "active":
        raise ValueError("the active signing key cannot be retired; rotate first")
    key.status = "retired"
    key.retired_at = utcnow()
    db.session.commit()
    return key


def list_keys() -> list[ToolKey]:
    return list(db.session.scalars(select(ToolKey).order_by(ToolKey.id)))


def jwks() -> dict:
    """Every key that is not retired, public parts only."""
    keys = db.session.scalars(
        select(ToolKey).where(ToolKey.status != "retired").order_by(ToolKey.id.desc())
    )
    return {"keys": [public_jwk(k.public_pem) for k in keys]}
