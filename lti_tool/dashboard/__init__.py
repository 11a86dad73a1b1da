"""Teacher insight: the instructor dashboard, its data, charts, exports and the model fit."""
