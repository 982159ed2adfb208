"""The version lives here alone so that hatch, the CLI and the User-Agent agree."""

__version__ = "0.1.0"
