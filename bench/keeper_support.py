"""What bench/keeper_burst.py measures with: the CPU its processes spend (from /proc, Linux
only), and the SMTP servers its emails go to. Each sink records, per message, its outbox
key (the X-Service-Desk-Message header) and the moment it accepted it (the "delivered" end of a
reminder's lag), so duplicates and lags can be counted per reminder.

The minimal sink does the least an SMTP server can (answers each command, reads the message to
its final dot, says 250) on an asyncio loop in a thread: it stands for a mail server on another
machine, so it takes as little of the 2 cores as it can. The aiosmtpd sink is a full SMTP server
in Python (`--sink aiosmtpd`), as the first runs used.
"""

import asyncio
import os
import resource
import socket
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

KEY_HEADER = b"\nX-Service-Desk-Message:"


def message_key(content: bytes) -> bytes:
    """The outbox key a message carries in its X-Service-Desk-Message header (b"" if none)."""
    start = content.find(KEY_HEADER)
    if start < 0:
        return b""
    start += len(KEY_HEADER)
    end = content.find(b"\n", start)
    return content[start : end if end >= 0 else None].strip()


class Accepted:
    """(key, wall-clock time) of every message accepted, in order; appended from one thread."""

    def __init__(self) -> None:
        self.entries: list[tuple[bytes, float]] = []

    def record(self, content: bytes) -> None:
        self.entries.append((message_key(b"\n" + content), time.time()))

    @property
    def keys(self) -> list[bytes]:
        return [key for key, _ in self.entries]


class CountingSink:
    """aiosmtpd's handler: accepts every message and records it."""

    def __init__(self, accepted: Accepted) -> None:
        self.accepted = accepted

    async def handle_DATA(self, server, session, envelope):
        self.accepted.record(envelope.original_content)
        return "250 OK"


class AiosmtpdSink:
    def __init__(self) -> None:
        self.accepted = Accepted()
        self.controller = None
        self.port = 0

    def start(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(
            CountingSink(self.accepted), hostname="127.0.0.1", port=self.port
        )
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class MinimalSmtpSink:
    """A mail server doing the least an SMTP server can, on an asyncio loop in a thread."""

    def __init__(self) -> None:
        self.accepted = Accepted()
        self.loop = asyncio.new_event_loop()
        self.server = None
        self.port = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def start(self) -> None:
        self.server = self.loop.run_until_complete(
            self.loop.create_server(lambda: _SinkProtocol(self.accepted), "127.0.0.1", 0)
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.thread.start()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


class _SinkProtocol(asyncio.Protocol):
    def __init__(self, accepted: Accepted) -> None:
        self.accepted = accepted
        self.buffer = b""
        self.in_data = False
        self.transport = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    return
                content, self.buffer = self.buffer[:end], self.buffer[end + 5 :]
                self.in_data = False
                self.accepted.record(content)
                self.transport.write(b"250 accepted\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            verb = line[:4].upper()
            if verb == b"DATA":
                self.in_data = True
                self.transport.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"221 bye\r\n")
                self.transport.close()
                return
            else:
                self.transport.write(b"250 ok\r\n")


def _clock_ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _group_stats(group: int) -> list[list[str]]:
    """/proc/<pid>/stat fields (after the command name) of every live process in a process
    group (the worker and its pool: it runs in a session of its own). Linux only."""
    stats = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # state, ppid, pgrp, ...
            stats.append(fields)
    return stats


def process_group_cpu_seconds(group: int) -> float:
    """User + system CPU of the live processes of a process group (utime, stime)."""
    return sum(int(f[11]) + int(f[12]) for f in _group_stats(group)) / _clock_ticks()


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_seconds() -> float:
    """CPU-seconds the whole machine spent busy (every process, every user), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / _clock_ticks()


def worker_processes(group: int) -> int:
    return len(_group_stats(group))
