"""`python -m multistyle.train` is `multistyle-train`."""

from multistyle.cli import train

if __name__ == "__main__":
    train.run()
