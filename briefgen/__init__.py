"""briefgen: turn structured report records into honest situation briefs."""

__version__ = "0.1.0"
