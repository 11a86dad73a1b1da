"""The browser module editor: teachers build and fix modules with forms (docs/authoring.md)."""
