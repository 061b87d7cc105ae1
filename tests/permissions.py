"""File permissions that hold even when the tests run as root (CI does)."""

from __future__ import annotations

import os
import shutil

import pytest


def unprivileged() -> list[str]:
    """A command prefix under which file permissions apply, even when the tests run as root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a folder read-only for this process")
    # Root minus the capabilities that bypass permission bits: a 0555 folder is then read-only to it.
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]
