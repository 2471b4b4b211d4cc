"""InfoShare Desktop: record information-sharing decisions in children's safeguarding."""

__version__ = "0.2.0"
APP_NAME = "InfoShare Desktop"
