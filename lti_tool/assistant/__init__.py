"""The learning assistant inside the activity (see docs/assistant.md)."""
