"""admin/argon2_verify.py: one thread gives argon2-cffi's answer for every password, known
hash or not (the check the login path makes, see bench.attack for why one thread)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher

from admin import argon2_verify
from admin.accounts import verify_password

HASHER = PasswordHasher()


@pytest.mark.parametrize("password", ["yidi-demo-2026", "密码测试１２３", "", "x" * 300])
def test_the_same_answer_as_argon2_cffi(password: str) -> None:
    stored = HASHER.hash(password)
    assert verify_password(stored, password) is True
    assert verify_password(stored, password + "a") is False
    assert verify_password(stored, password[:-1]) is (password[:-1] == password)


def test_a_damaged_or_other_hash_is_refused_or_handed_over() -> None:
    assert verify_password("$argon2id$v=19$m=65536,t=3,p=4$!!$!!", "x") is False
    assert verify_password("not a hash", "x") is False
    handed: list[str] = []
    argon2_verify.verify(
        "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x", lambda h, p: bool(handed.append(h))
    )
    assert handed  # Argon2i is argon2-cffi's to verify


def _most_native_threads(check: Callable[[], object]) -> int:
    """The most threads this process had while `check` ran (/proc: native threads too)."""
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.append(len(os.listdir("/proc/self/task")))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        check()
    finally:
        done.set()
        watcher.join()
    return max(seen)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_it_runs_on_the_calling_thread_alone() -> None:
    """libargon2 starts a thread per lane unless told otherwise (argon2-cffi's verify does):
    during our check the process has no thread beyond the caller and the watcher."""
    stored = HASHER.hash("secret")  # p=4: four lanes
    before = len(os.listdir("/proc/self/task"))
    assert _most_native_threads(lambda: HASHER.verify(stored, "secret")) > before + 1
    assert _most_native_threads(lambda: verify_password(stored, "secret")) <= before + 1
