"""The one error type the CLI turns into a clear one-line message."""


class UserError(Exception):
    """A problem the user can fix; its message says what to do. Printed as one line, never a traceback."""
