"""sohoa: paper judgment-execution records in, signed reconciled archive out."""
__version__ = "0.1.0"
SOFTWARE = f"sohoa {__version__}"
