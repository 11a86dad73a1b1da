"""OIDC login and launch: the way into the tool."""
