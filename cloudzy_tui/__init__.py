"""cloudzy-tui: a keyboard-driven terminal console for the Cloudzy Developer API."""

__version__ = "0.1.0"
