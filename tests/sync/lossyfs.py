"""A FUSE file system that loses what was never fsynced, like a disk when the power goes.

Each file keeps two copies in memory: ``live`` (what reads see, like the page cache) and
``synced`` (what an fsync last made durable). Writing "cut" to the control file ``/.powercut``
is the power cut: every file falls back to its synced copy, and the surviving copies are written
to the dump folder, where a test opens them on an ordinary disk (the kernel's own cache of the
mount cannot then hand back data the cut dropped). File creation, rename and unlink count as
durable at once (the journaled-metadata case); only contents are lost.

Run as ``python -m tests.sync.lossyfs MOUNTPOINT DUMP_DIR`` (as root, or with fusermount);
``LossyMount`` does it for a test.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fuse import FUSE, FuseOSError, Operations

CONTROL = "/.powercut"


class _Node:
    def __init__(self, mode: int) -> None:
        self.mode = mode
        self.live = bytearray()
        self.synced = b""
        now = time.time()
        self.times = (now, now)

    @property
    def is_dir(self) -> bool:
        return stat.S_ISDIR(self.mode)


class LossyFS(Operations):  # type: ignore[misc]
    """The file system's operations (single-threaded: fusepy runs them one at a time)."""

    def __init__(self, dump_dir: Path) -> None:
        self.dump_dir = dump_dir
        self.nodes: dict[str, _Node] = {"/": _Node(stat.S_IFDIR | 0o755)}

    # -- the power cut ------------------------------------------------------------------
    def power_cut(self) -> None:
        for node in self.nodes.values():
            if not node.is_dir:
                node.live = bytearray(node.synced)
        for path, node in self.nodes.items():
            target = self.dump_dir / path.lstrip("/")
            if node.is_dir:
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(node.synced)
                target.chmod(node.mode & 0o7777)

    # -- helpers ----------------------------------------------------------------------------
    def _node(self, path: str) -> _Node:
        node = self.nodes.get(path)
        if node is None:
            raise FuseOSError(errno.ENOENT)
        return node

    # -- operations -------------------------------------------------------------------------
    def getattr(self, path: str, fh: Any = None) -> dict[str, Any]:
        if path == CONTROL:
            return {"st_mode": stat.S_IFREG | 0o200, "st_nlink": 1, "st_size": 0}
        node = self._node(path)
        return {"st_mode": node.mode, "st_nlink": 2 if node.is_dir else 1, "st_size": len(node.live),
                "st_atime": node.times[0], "st_mtime": node.times[1], "st_ctime": node.times[1],
                "st_uid": os.getuid(), "st_gid": os.getgid()}

    def readdir(self, path: str, fh: Any) -> list[str]:
        prefix = path.rstrip("/") + "/"
        children = (p[len(prefix):] for p in self.nodes if p.startswith(prefix) and p != path)
        names = [name for name in children if "/" not in name]
        return [".", "..", *names]

    def create(self, path: str, mode: int, fi: Any = None) -> int:
        self.nodes[path] = _Node(stat.S_IFREG | (mode & 0o7777))
        return 0

    def open(self, path: str, flags: int) -> int:
        if path != CONTROL:
            node = self._node(path)
            if flags & os.O_TRUNC:
                node.live = bytearray()
        return 0

    def read(self, path: str, size: int, offset: int, fh: Any) -> bytes:
        return bytes(self._node(path).live[offset:offset + size])

    def write(self, path: str, data: bytes, offset: int, fh: Any) -> int:
        if path == CONTROL:
            if data.strip() == b"cut":
                self.power_cut()
            return len(data)
        node = self._node(path)
        if len(node.live) < offset:
            node.live.extend(b"\0" * (offset - len(node.live)))
        node.live[offset:offset + len(data)] = data
        node.times = (node.times[0], time.time())
        return len(data)

    def truncate(self, path: str, length: int, fh: Any = None) -> None:
        if path == CONTROL:
            return
        node = self._node(path)
        if length < len(node.live):
            del node.live[length:]
        else:
            node.live.extend(b"\0" * (length - len(node.live)))

    def fsync(self, path: str, datasync: int, fh: Any) -> int:
        if path != CONTROL:
            node = self._node(path)
            node.synced = bytes(node.live)
        return 0

    def fsyncdir(self, path: str, datasync: int, fh: Any) -> int:
        return 0

    def flush(self, path: str, fh: Any) -> int:
        return 0  # close() is no fsync: the data stays in the "page cache"

    def release(self, path: str, fh: Any) -> int:
        return 0

    def unlink(self, path: str) -> None:
        self._node(path)
        del self.nodes[path]

    def rename(self, old: str, new: str) -> None:
        self.nodes[new] = self._node(old)
        del self.nodes[old]

    def link(self, target: str, source: str) -> None:
        self.nodes[target] = self._node(source)  # one node, two names: a hard link

    def mkdir(self, path: str, mode: int) -> None:
        self.nodes[path] = _Node(stat.S_IFDIR | (mode & 0o7777))

    def rmdir(self, path: str) -> None:
        if any(p.startswith(path.rstrip("/") + "/") for p in self.nodes):
            raise FuseOSError(errno.ENOTEMPTY)
        del self.nodes[path]

    def chmod(self, path: str, mode: int) -> int:
        node = self._node(path)
        node.mode = (node.mode & ~0o7777) | (mode & 0o7777)
        return 0

    def chown(self, path: str, uid: int, gid: int) -> None:
        self._node(path)

    def utimens(self, path: str, times: tuple[float, float] | None = None) -> None:
        self._node(path).times = times or (time.time(), time.time())

    def access(self, path: str, amode: int) -> int:
        if path != CONTROL:
            self._node(path)
        return 0

    def statfs(self, path: str) -> dict[str, int]:
        return {"f_bsize": 4096, "f_frsize": 4096, "f_blocks": 1 << 20, "f_bfree": 1 << 19,
                "f_bavail": 1 << 19, "f_namemax": 255}


def fuse_available() -> str | None:
    """Why a lossy mount cannot be made here, or None when it can."""
    if not Path("/dev/fuse").exists():
        return "no /dev/fuse on this machine"
    if os.geteuid() != 0:
        return "mounting FUSE needs root here"
    return None


class LossyMount:
    """A lossy file system mounted at ``mountpoint`` in a process of its own."""

    def __init__(self, mountpoint: Path, dump_dir: Path) -> None:
        self.mountpoint, self.dump_dir = mountpoint, dump_dir
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LossyMount:
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        self.dump_dir.mkdir(parents=True, exist_ok=True)
        root = Path(__file__).resolve().parents[2]
        self._proc = subprocess.Popen([sys.executable, "-m", "tests.sync.lossyfs", str(self.mountpoint),
                                       str(self.dump_dir)], cwd=root, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not os.path.ismount(self.mountpoint):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                err = self._proc.stderr.read().decode() if self._proc.stderr and self._proc.poll() is not None else ""
                self._stop()
                raise RuntimeError(f"the lossy file system did not mount at {self.mountpoint}: {err}")
            time.sleep(0.05)
        return self

    def power_cut(self) -> Path:
        """Drop everything not fsynced; returns the folder holding what survived."""
        with open(self.mountpoint / CONTROL.lstrip("/"), "wb", buffering=0) as control:
            control.write(b"cut")
        return self.dump_dir

    def _stop(self) -> None:
        if os.path.ismount(self.mountpoint):
            subprocess.run(["umount", "-l", str(self.mountpoint)], check=False)
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(10)
            if self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stderr:
                self._proc.stderr.close()
            self._proc = None

    def __exit__(self, *exc: object) -> None:
        self._stop()


@contextlib.contextmanager
def lossy_mount(base: Path) -> Iterator[LossyMount]:
    with LossyMount(base / "mnt", base / "survived") as mount:
        yield mount


def main() -> None:
    mountpoint, dump_dir = Path(sys.argv[1]), Path(sys.argv[2])
    FUSE(LossyFS(dump_dir), str(mountpoint), foreground=True, nothreads=True,
         no_remote_lock=True)  # POSIX locks stay in the kernel, as on a local disk


if __name__ == "__main__":
    main()
