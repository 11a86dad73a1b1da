"""Platform registrations: services, presets, the DB-backed PyLTI1p3 tool config."""
