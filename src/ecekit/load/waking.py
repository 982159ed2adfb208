"""Waking at a page view's time to within microseconds, without spinning the CPU.

Each latency runs from the page view's scheduled time, so a generator that wakes late for it adds its
own lateness to every number. gevent's libev loop rounds a timer up to epoll's millisecond ticks: a
plain ``gevent.sleep`` wakes about 0.5 ms late on average (at most 1 ms). Sleeping until 1.1 ms before
the time and then yielding to the loop in a busy loop until it has come fixes the time, but the spin
costs about a tenth of a CPU at 200 page views/s, and on a busy machine a process that spins is one
the kernel preempts, mid-spin, for milliseconds: measured under load average 14 on 2 CPUs, the p50
error of a bare gevent client was +3.1 to +3.5 ms with the spin, +1.6 ms with this timer.

On Linux the leader instead arms a timerfd on CLOCK_MONOTONIC (the clock of ``time.perf_counter``) at
the absolute time and waits for it to become readable, like any socket, in the event loop: the
kernel's high-resolution timer wakes the loop on time while the process sleeps, and the thread's timer
slack is cut to 1 µs (from 50 µs) so the kernel does not defer the wake-up to batch it with others.
The timer is armed EARLY_S (0.1 ms) ahead and the rest is spun (yielding to the loop): a wake-up,
even on an idle CPU, takes tens of microseconds, and this way it is taken before the time, not after
it, for a spin of about a fiftieth of a CPU at 200 page views/s. Elsewhere (no timerfd, another
clock) it falls back to the spin.

Waking on time is not running on time: on a shared CPU the woken loop waits for the task in front of
it to finish its time slice (EEVDF, Linux 6.6+). Since Linux 6.12 a task may ask for a shorter slice
(``sched_setattr``'s ``sched_runtime`` for SCHED_OTHER; no privilege, no larger share of the CPU, only
finer turns), and the scheduler lets such a latency-sensitive task preempt on wake-up. The event
loop's thread asks for 0.1 ms: measured at load average ~11 on 2 CPUs, the generator's send lag p50
fell from 0.29-1.0 ms to 0.05-0.08 ms, and at load ~9.5 its p50 error against the server's own log
from +1.4..+1.9 ms to +0.5..+0.7 ms. Older kernels refuse (EINVAL) and nothing changes.

Imports gevent (not locust): only ``locust_user`` uses it, inside a locust process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import time
from time import perf_counter

import gevent
from gevent.hub import get_hub

SPIN_S = 0.0011
_CLOCK_MONOTONIC = 1
_TFD_NONBLOCK = os.O_NONBLOCK
_TFD_CLOEXEC = 0o2000000
_TFD_TIMER_ABSTIME = 1
_PR_SET_TIMERSLACK = 29
_SLACK_NS = 1000
_SYS_SCHED_SETATTR = {"x86_64": 314, "aarch64": 274}
_SLICE_NS = 100_000  # the shortest slice the kernel allows; 0.3 and 1 ms measured worse
EARLY_S = 0.0001


class _Timespec(ctypes.Structure):
    _fields_ = (("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long))


class _Itimerspec(ctypes.Structure):
    _fields_ = (("it_interval", _Timespec), ("it_value", _Timespec))


class _SchedAttr(ctypes.Structure):
    _fields_ = (("size", ctypes.c_uint32), ("sched_policy", ctypes.c_uint32), ("sched_flags", ctypes.c_uint64),
                ("sched_nice", ctypes.c_int32), ("sched_priority", ctypes.c_uint32),
                ("sched_runtime", ctypes.c_uint64), ("sched_deadline", ctypes.c_uint64),
                ("sched_period", ctypes.c_uint64), ("util_min", ctypes.c_uint32), ("util_max", ctypes.c_uint32))


def _ask_short_slice(libc: ctypes.CDLL) -> bool:
    """Ask the scheduler for a short time slice for this thread (see the module docstring); False if
    the kernel or the platform says no. Only for a thread that runs SCHED_OTHER (the default)."""
    number = _SYS_SCHED_SETATTR.get(os.uname().machine)
    if number is None or os.sched_getscheduler(0) != os.SCHED_OTHER:
        return False
    attr = _SchedAttr(size=ctypes.sizeof(_SchedAttr), sched_policy=os.SCHED_OTHER,
                      sched_nice=os.getpriority(os.PRIO_PROCESS, 0), sched_runtime=_SLICE_NS)
    return int(libc.syscall(number, 0, ctypes.byref(attr), 0)) == 0


def spin_until(due: float) -> None:
    """Sleep until SPIN_S before ``due``, then yield to the loop (other greenlets and I/O keep
    running) until the time has come: exact to tens of microseconds, but busy for the last stretch."""
    delay = due - perf_counter()
    if delay > SPIN_S:
        gevent.sleep(delay - SPIN_S)
    while perf_counter() < due:
        gevent.sleep(0)


class Waker:
    """Wakes its (one) waiting greenlet at an absolute ``perf_counter`` time; one per arrival stream."""

    def __init__(self) -> None:
        self.fd = -1
        self._libc: ctypes.CDLL | None = None
        self.short_slice = False
        if sys.platform.startswith("linux") and "CLOCK_MONOTONIC" in time.get_clock_info("perf_counter").implementation:
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
                fd = libc.timerfd_create(_CLOCK_MONOTONIC, _TFD_NONBLOCK | _TFD_CLOEXEC)
            except (OSError, AttributeError):
                fd = -1
            if fd >= 0:
                self.fd, self._libc = fd, libc
                libc.prctl(_PR_SET_TIMERSLACK, _SLACK_NS, 0, 0, 0)  # this (the event loop's) thread only
                self.short_slice = _ask_short_slice(libc)
                self._watcher = get_hub().loop.io(fd, 1)

    @property
    def precise(self) -> bool:
        """True when the timerfd is in use, False when waiting falls back to the spin."""
        return self.fd >= 0

    def wait_until(self, due: float) -> None:
        if self._libc is None:
            spin_until(due)
            return
        if due <= perf_counter():
            return
        early = due - EARLY_S
        sec = int(early)
        when = _Itimerspec(_Timespec(0, 0), _Timespec(sec, int((early - sec) * 1e9)))
        if self._libc.timerfd_settime(self.fd, _TFD_TIMER_ABSTIME, ctypes.byref(when), None) != 0:
            spin_until(due)
            return
        while True:
            get_hub().wait(self._watcher)
            try:
                os.read(self.fd, 8)  # the expiry count; reading it re-arms readability
            except BlockingIOError:
                continue  # a spurious wake-up: the timer has not fired yet
            break
        while perf_counter() < due:  # the last EARLY_S (if the wake-up was not later than that)
            gevent.sleep(0)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd, self._libc = -1, None
