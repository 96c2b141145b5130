"""The errors a user can cause, apart from the bugs a user must never see as a traceback.

Every stage raises its own error type for bad input — a catalogue, an image, a model file,
an SVG, a setting — and each derives from `UserError`, so the command line and the
services print those as one line naming what is wrong while anything else (a bug) keeps
its traceback. Template problems are `DiagnosticError`s, rendered with file, line and
caret instead.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with what the user gave (a file, data, a setting); the message names it."""


class SettingError(UserError, ValueError):
    """An option or setting with a value that cannot be used (an output type, a quality,
    a copy backend). Also a ValueError, which is what it is to code that calls the API."""
