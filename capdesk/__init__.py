"""capdesk: a desktop screen recorder that uploads to Cap while it records."""

__version__ = "0.1.0"
