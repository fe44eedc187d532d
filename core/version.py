"""The software's name and version, as written into signatures and metadata."""
__version__ = "0.1.0"
SOFTWARE = f"sohoa {__version__}"
