"""The multistyle command-line tools: thin absl apps, one per module, each
entered through `app_runner.run(main)`."""
