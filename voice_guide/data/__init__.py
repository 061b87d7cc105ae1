"""Packaged data files (guidance content)."""
