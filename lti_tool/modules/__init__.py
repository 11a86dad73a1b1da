"""The module library: shipped samples plus teacher-authored modules from the database."""
