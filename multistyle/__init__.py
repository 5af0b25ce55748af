"""multistyle: one real-time style transfer network, many painting styles."""

__version__ = "0.1.0"
