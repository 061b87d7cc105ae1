"""voice-guide: an offline voice guide through a leg cramp in pregnancy."""

__version__ = "0.1.0"

