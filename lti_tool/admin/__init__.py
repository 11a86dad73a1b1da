"""The tool administrator's web console (/admin) and its CLI commands."""
