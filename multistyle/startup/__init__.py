"""What the command-line tools set up as they start: code run when a
module is first imported (`import_hooks`) and JAX's on-disk cache of
compiled networks (`compilation_cache`)."""
