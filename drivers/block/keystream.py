"""The overwrite patterns, and the seeded pseudo-random keystream behind the "random" one.

AES-256 in counter mode, keyed by a 32-byte seed, encrypting zeros: the 16 bytes at byte offset
``o`` are AES(seed, counter) with counter = o // 16 as a 128-bit big-endian number. Any aligned
piece of the stream can therefore be produced on its own, which is what verification needs: it
regenerates the expected bytes for whatever range it reads instead of storing what was written,
and a resumed erase continues the very same stream from its checkpoint.

Why AES-CTR rather than ``random.randbytes``: OpenSSL's AES-NI path makes about 8 GB/s on one
core (well above a SATA or most NVMe drives), it is seekable, and the bytes are indistinguishable
from random, so a drive that compresses or deduplicates (some SSD controllers do) must store
every block.

The seed is not a secret worth guarding: it only lets someone predict the overwrite pattern, and
it is recorded with the erase so that anyone can verify the drive later.
"""

from __future__ import annotations

import enum
import mmap

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SEED_BYTES = 32
_AES_BLOCK = 16
_COUNTER_LIMIT = 1 << 128


class Keystream:
    """The keystream for one seed; ``block`` returns any 16-byte-aligned piece of it."""

    def __init__(self, seed: bytes) -> None:
        if len(seed) != SEED_BYTES:
            raise ValueError(f"keystream seed must be {SEED_BYTES} bytes, got {len(seed)}")
        self._algorithm = algorithms.AES(bytes(seed))
        # Zeros fed to the cipher (the ciphertext of zeros is the keystream itself), kept and grown
        # on demand so a block costs no allocation beyond its output. A private read-only anonymous
        # mapping: never written, all of it is the kernel's one shared zero page, so 4 MiB of
        # input costs no memory (and stays in the CPU cache).
        self._zeros = memoryview(b"")

    def _start(self, offset: int, length: int) -> tuple[modes.CTR, memoryview]:
        if offset < 0 or offset % _AES_BLOCK or length < 0 or length % _AES_BLOCK:
            raise ValueError(f"keystream offset and length must be non-negative multiples of 16, "
                             f"got offset={offset} length={length}")
        counter = offset // _AES_BLOCK
        if counter + length // _AES_BLOCK > _COUNTER_LIMIT:
            raise ValueError(f"keystream offset {offset} is beyond the 2**128-block counter")
        if len(self._zeros) < length:
            self._zeros = memoryview(mmap.mmap(-1, length, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ))
        # OpenSSL increments the whole 16-byte counter block as one big-endian number, which is
        # what makes counter = offset // 16 hold across the entire stream.
        return modes.CTR(counter.to_bytes(16, "big")), self._zeros[:length]

    def block(self, offset: int, length: int) -> bytes:
        """The ``length`` keystream bytes starting at byte ``offset`` (both multiples of 16)."""
        mode, zeros = self._start(offset, length)
        encryptor = Cipher(self._algorithm, mode).encryptor()
        return encryptor.update(zeros) + encryptor.finalize()

    def block_into(self, offset: int, out: memoryview) -> None:
        """Fill ``out`` (writable, length a multiple of 16) with the keystream starting at ``offset``.

        The overwrite engine generates straight into its aligned O_DIRECT buffer this way, saving
        a copy per block.
        """
        mode, zeros = self._start(offset, len(out))
        encryptor = Cipher(self._algorithm, mode).encryptor()
        encryptor.update_into(zeros, out)
        encryptor.finalize()

    def xor_into(self, offset: int, data: memoryview) -> None:
        """XOR ``data`` (writable, length a multiple of 16) in place with the keystream starting at
        ``offset``: bytes that hold the stream become zeros.

        Verification checks read-back blocks this way: no expected block is built (a 4 MiB
        allocation per block), and the cipher works with the GIL released.
        """
        mode, _ = self._start(offset, len(data))  # the checks; its zeros are the write pass's, kept
        encryptor = Cipher(self._algorithm, mode).encryptor()
        encryptor.update_into(data, data)  # CTR is a stream cipher: in place is allowed
        encryptor.finalize()


class Pattern(enum.StrEnum):
    """What an overwrite writes: all 0x00, all 0xFF, or the keystream of a seed."""

    ZEROS = "zeros"
    ONES = "ones"
    RANDOM = "random"


class PatternSource:
    """The bytes of one pattern at any aligned offset, for writing and for checking.

    The fixed patterns are built once (``block_size`` bytes); the random one is regenerated per
    block from the keystream at the absolute offset, so nothing depends on how the device was
    split into blocks, or on which run (first or resumed) wrote a byte.
    """

    def __init__(self, pattern: Pattern, seed: bytes | None, block_size: int) -> None:
        self.pattern = Pattern(pattern)
        self.varies = self.pattern is Pattern.RANDOM  # False: the bytes are the same at every offset
        if self.varies and seed is None:
            raise ValueError("the random pattern needs a seed")
        self._keystream = Keystream(seed) if self.varies and seed is not None else None
        # What a checked block is compared with: the fixed pattern itself, or for the random one the
        # zeros a block that held the stream turns into once the stream is XORed away. A bytearray:
        # ``bytearray == memoryview`` is one memcmp over both buffers, where ``bytes ==`` would need
        # the read buffer copied into a bytes object first (measured: 0.14 vs 0.34 ms per 4 MiB).
        self._fixed = bytearray(b"\xff") * block_size if self.pattern is Pattern.ONES else bytearray(block_size)

    def fill(self, out: memoryview, offset: int) -> None:
        """Writes the pattern for [offset, offset + len(out)) into ``out`` (length a multiple of 16)."""
        if self._keystream is not None:
            self._keystream.block_into(offset, out)
        else:
            out[:] = self._fixed if len(out) == len(self._fixed) else memoryview(self._fixed)[:len(out)]

    def cancel_out(self, data: memoryview, offset: int) -> bytearray:
        """Prepares read-back ``data`` from ``offset`` for checking and returns what it must then equal
        (``len(data)`` bytes, a multiple of 16, at most ``block_size``; shared: read it, never change
        it). The random pattern is XORed away in place, so ``data`` must hold the pattern if it now
        holds zeros; a fixed pattern is left alone and compared with itself. Either way a
        difference at byte ``i`` of ``data`` means byte ``offset + i`` of the device does not hold
        the pattern. Compare with the returned bytearray on the left (``reference != data``).
        """
        if self._keystream is not None:
            self._keystream.xor_into(offset, data)
        return self._fixed if len(data) == len(self._fixed) else self._fixed[:len(data)]

    def expected(self, offset: int, length: int) -> bytes:
        """The pattern for [offset, offset + length); ``length`` need not be a multiple of 16."""
        if self._keystream is None:
            return bytes(self._fixed[:length])
        return self._keystream.block(offset, -(-length // _AES_BLOCK) * _AES_BLOCK)[:length]
