from ..portal import *  # noqa: F403 (the portal's formats, the same in every language)
