"""InfoShare Desktop: record information-sharing decisions in children's safeguarding."""

__version__ = "0.1.0"
APP_NAME = "InfoShare Desktop"
