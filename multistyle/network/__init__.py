"""The style transfer network: its layers, the network, its style tables."""
