"""The multistyle command-line tools (thin absl apps, one per module).

Every console script imports this package before its tool, so this is the
one place that runs before TensorFlow can be imported: `quiet.install()`
keeps TensorFlow's C++ start-up lines off the terminal unless the command
line has `-v` (see `quiet`).
"""

import time

from multistyle.cli import quiet

# When the command started, near enough: the tools report total seconds.
START_TIME = time.perf_counter()
quiet.install()
