"""Assignment and Grade Services: scores from mastery, delivered durably."""
