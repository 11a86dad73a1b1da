"""The demo platform's RSA signing key (persisted in ``key_dir`` or kept in memory)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.registration import Registration

KEY_FILE = "demo_platform_private.pem"


def generate_private_pem() -> str:
    """Return a fresh 2048-bit RSA private key as PKCS#8 PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def public_pem_from_private(private_pem: str) -> str:
    """Derive the SubjectPublicKeyInfo PEM from a private key PEM."""
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


@dataclass
class PlatformKeys:
    """Private/public PEM pair plus the public JWK (kid = RFC 7638 thumbprint)."""

    private_pem: str
    public_pem: str = ""
    jwk: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.public_pem:
            self.public_pem = public_pem_from_private(self.private_pem)
        if not self.jwk:
            self.jwk = Registration.get_jwk(self.public_pem)

    @cached_property
    def private_key(self) -> rsa.RSAPrivateKey:
        """The private key parsed once. lti1p3platform parses the PEM twice per signed JWT
        (once for the kid, once to sign), and cryptography's RSA key check makes each
        parse ~50 ms of CPU: it was ~90 % of the demo LMS's time per launch and capped a
        benchmark's launches/s for any tool (bench/launch.py)."""
        key = serialization.load_pem_private_key(self.private_pem.encode("ascii"), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    @property
    def kid(self) -> str:
        """Key id published in the JWKS and put in every JWT header."""
        return str(self.jwk["kid"])

    def jwks(self) -> dict[str, Any]:
        """The public key set served at ``/.well-known/jwks.json``."""
        return {"keys": [dict(self.jwk)]}


def load_or_create_keys(key_dir: Path | None) -> PlatformKeys:
    """Load the platform key from ``key_dir`` (creating it on first use) or make one in memory."""
    if key_dir is None:
        return PlatformKeys(generate_private_pem())
    key_dir = Path(key_dir)
    key_dir.mkdir(parents=True, exist_ok=True)
    path = key_dir / KEY_FILE
    if path.exists():
        return PlatformKeys(path.read_text(encoding="ascii"))
    pem = generate_private_pem()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(pem)
    return PlatformKeys(pem)
