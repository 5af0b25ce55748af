"""Training: the config, the run, the trainer model, data and checkpoints."""
