"""Request-agnostic LTI pieces: claim names, errors, role mapping, token checks. No Flask."""
