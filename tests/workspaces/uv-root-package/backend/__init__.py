"""The tasks service."""
