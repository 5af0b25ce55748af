"""Painting photos with a trained model folder (no training code, no VGG)."""
