"""The base of every class that owns a C handle."""

from __future__ import annotations

import ctypes
from typing import Any, Optional


class Handle:
    """Owns one C handle: freed by close(), by leaving a `with` block, or when the object goes.

    After close() the object's methods raise BadHandleError (the library gets a NULL handle)."""

    _free: Any = None  # the C free function of the handle type

    def __init__(self, handle: ctypes.c_void_p) -> None:
        self._h: Optional[ctypes.c_void_p] = handle

    @property
    def closed(self) -> bool:
        """True once the handle has been freed."""
        return not self._h

    def close(self) -> None:
        """Frees the handle (again: nothing)."""
        h, self._h = self._h, None
        if h:
            type(self)._free(h)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may already be gone
            pass
