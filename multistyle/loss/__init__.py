"""The perceptual loss: VGG-19 weights and features, losses, style targets."""
