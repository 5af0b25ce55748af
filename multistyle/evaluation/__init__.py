"""Scoring a model (content and style losses) and the Gatys reference."""
