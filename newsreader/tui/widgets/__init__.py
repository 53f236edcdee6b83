"""One widget per module; each widget's messages are nested in its class."""
