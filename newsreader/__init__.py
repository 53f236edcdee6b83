"""newsreader: a terminal newsreader for local text dumps and RSS/Atom feeds."""

import logging

__version__ = "0.1.0"

logging.getLogger("newsreader").addHandler(logging.NullHandler())
