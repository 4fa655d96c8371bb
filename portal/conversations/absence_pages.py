"""(being written)"""

from portal.conversations import bp  # noqa: F401
