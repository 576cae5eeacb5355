"""Argon2id verification on one thread.

argon2-cffi verifies with as many threads as the hash has lanes (p=4 by default): each check
took both cores of this machine for its fraction of a second, and under a login flood the
API's p99 on PostgreSQL doubled (bench.attack). The lanes are part of the hash and stay as
they are; libargon2 computes them with however many threads it is given, so one thread gives
the same bytes at a quarter of the parallelism. Anything not Argon2id v19 in the standard
encoding goes to argon2-cffi's own verify.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Callable

from argon2 import Type, extract_parameters
from argon2.exceptions import InvalidHashError
from argon2.low_level import ARGON2_VERSION, core, ffi
from argon2.low_level import lib  # type: ignore[attr-defined]  # the cffi library object


def _b64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def verify(password_hash: str, password: str, fallback: Callable[[str, str], bool]) -> bool:
    """Whether `password` matches `password_hash`; `fallback` for other kinds of hash."""
    parts = password_hash.split("$")
    if len(parts) != 6 or parts[1] != "argon2id" or parts[2] != f"v={ARGON2_VERSION}":
        return fallback(password_hash, password)
    try:
        params = extract_parameters(password_hash)
        salt, expected = _b64(parts[4]), _b64(parts[5])
    except (InvalidHashError, ValueError):
        return False
    secret = password.encode("utf-8")
    out = ffi.new("uint8_t[]", len(expected))
    c_pwd, c_salt = ffi.new("uint8_t[]", secret), ffi.new("uint8_t[]", salt)
    context = ffi.new(
        "argon2_context *",
        {
            "version": ARGON2_VERSION,
            "out": out,
            "outlen": len(expected),
            "pwd": c_pwd,
            "pwdlen": len(secret),
            "salt": c_salt,
            "saltlen": len(salt),
            "secret": ffi.NULL,
            "secretlen": 0,
            "ad": ffi.NULL,
            "adlen": 0,
            "t_cost": params.time_cost,
            "m_cost": params.memory_cost,
            "lanes": params.parallelism,
            "threads": 1,
            "allocate_cbk": ffi.NULL,
            "free_cbk": ffi.NULL,
            "flags": lib.ARGON2_DEFAULT_FLAGS,
        },
    )
    if core(context, Type.ID.value) != lib.ARGON2_OK:
        return False
    return hmac.compare_digest(bytes(ffi.buffer(out, len(expected))), expected)
