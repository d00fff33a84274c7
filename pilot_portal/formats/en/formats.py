from ..portal import *  # noqa: F403 (the portal's formats, the same in every language)

# English writes the decimal point; the rest is the portal's.
DECIMAL_SEPARATOR = "."
