"""cloudzy-tui: a keyboard-driven terminal console for the Cloudzy Developer API."""

from importlib.metadata import PackageNotFoundError, version

try:
    # One version, written once (pyproject.toml); read back from the installed package's metadata.
    __version__ = version("cloudzy-tui")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
