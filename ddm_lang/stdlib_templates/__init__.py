"""The standard template library and its sample catalogue."""
