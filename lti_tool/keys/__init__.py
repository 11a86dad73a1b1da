"""The tool's signing keys and their public JWKS."""
