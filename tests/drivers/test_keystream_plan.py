"""The keystream the random pattern comes from, and the NIST-style verification sampling plan."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from drivers.block.keystream import Keystream, PatternSource
from drivers.block.overwrite import (
    OverwriteJob,
    Pattern,
    VerifyMode,
)
from drivers.block.verify_plan import ByteRange, locate_mismatches, plan_samples
from tests.drivers.overwrite_support import (
    SEED,
    Device,
    MiB,
    run,
)


def test_keystream_is_aes256_ctr_with_the_counter_at_offset_over_16() -> None:
    # NIST SP 800-38A F.5.5 (CTR-AES256.Encrypt): keystream = ciphertext XOR plaintext.
    key = bytes.fromhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
    counter = int("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 16)
    plain = bytes.fromhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
    cipher = bytes.fromhex("601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5")
    assert Keystream(key).block(counter * 16, 32) == bytes(p ^ c for p, c in zip(plain, cipher, strict=True))


def test_keystream_pieces_are_independent_of_how_the_stream_is_cut() -> None:
    stream = Keystream(SEED)
    whole = stream.block(4096, 256 * 1024)
    assert b"".join(stream.block(4096 + i, 4096) for i in range(0, 256 * 1024, 4096)) == whole
    assert stream.block(4096 + 1008, 48) == whole[1008:1056]
    out = bytearray(64 * 1024)
    stream.block_into(4096 + 8192, memoryview(out))
    assert bytes(out) == whole[8192:8192 + 64 * 1024]
    assert Keystream(bytes(32)).block(4096, 4096) != whole[:4096]
    for bad in [(8, 16), (16, 8), (-16, 16)]:
        with pytest.raises(ValueError, match="multiples of 16"):
            stream.block(*bad)
    with pytest.raises(ValueError, match="32 bytes"):
        Keystream(b"short")


def test_xoring_the_stream_away_leaves_zeros_exactly_where_it_was() -> None:
    stream = Keystream(SEED)
    data = bytearray(stream.block(8192, 64 * 1024))
    data[5000] ^= 0x40  # one flipped bit
    stream.xor_into(8192, memoryview(data))
    assert bytes(data[:5000]) == bytes(5000)
    assert data[5000] == 0x40
    assert bytes(data[5001:]) == bytes(64 * 1024 - 5001)
    with pytest.raises(ValueError, match="multiples of 16"):
        stream.xor_into(8, memoryview(bytearray(16)))
    random_source = PatternSource(Pattern.RANDOM, SEED, 64 * 1024)
    block = bytearray(stream.block(4096, 32 * 1024))
    assert random_source.cancel_out(memoryview(block), 4096) == bytes(block) == bytes(32 * 1024)
    ones = PatternSource(Pattern.ONES, None, 64 * 1024)
    read = bytearray(b"\xff" * 4096)
    assert ones.cancel_out(memoryview(read), 4096) == bytes(read)  # a fixed pattern is left as read


@pytest.mark.parametrize("size", [64 * MiB, 64 * MiB + 12 * 1024, 1000 * 1000 * 1000 * 1000 + 4096 * 3 + 100])
def test_sample_plan_follows_the_nist_shape(size: int) -> None:
    plan = plan_samples(size, seed=42, edge_bytes=4 * MiB)
    assert not plan.full
    assert plan.slices >= 1000
    assert len(plan.random_ranges) == 2 * plan.slices
    bounds = [(i * size // plan.slices) // 4096 * 4096 for i in range(plan.slices)] + [size]
    for i in range(plan.slices):  # two per slice, inside it, not overlapping, aligned for O_DIRECT
        a, b = plan.random_ranges[2 * i], plan.random_ranges[2 * i + 1]
        assert bounds[i] <= a.offset < a.end <= b.offset < b.end <= bounds[i + 1]
        assert (a.offset % 4096, b.offset % 4096) == (0, 0)
        assert a.length == b.length == plan.sample_bytes
    assert plan.sample_bytes % 4096 == 0
    assert plan.edge_ranges[0] == ByteRange(0, 4 * MiB)
    assert (plan.edge_ranges[-1].end, plan.edge_ranges[-1].offset % 4096) == (size, 0)
    assert sum(r.length for r in plan.random_ranges) * 10 >= size
    assert size <= plan.covered_bytes * 10 < size * 5
    assert all(0 <= r.offset < r.end <= size for r in plan.reads)
    assert all(a.end < b.offset for a, b in itertools.pairwise(plan.reads))  # sorted, merged
    assert plan_samples(size, seed=42, edge_bytes=4 * MiB) == plan
    assert plan_samples(size, seed=43, edge_bytes=4 * MiB).random_ranges != plan.random_ranges


def test_sample_plan_of_a_tiny_device_is_the_whole_device(make_device: Callable[..., Device]) -> None:
    assert plan_samples(4 * MiB, seed=1).full
    device = make_device(4 * MiB)
    result, _ = run(OverwriteJob(device.path, pattern=Pattern.ZEROS, verify=VerifyMode.SAMPLE, sample_seed=1))
    assert (result.verify_mode, result.verified_bytes, result.verify_ok) == (VerifyMode.FULL, 4 * MiB, True)
    assert any("too small to sample" in note for note in result.notes)


def test_locate_mismatches_trims_to_sectors_and_merges_neighbours() -> None:
    k = 1024
    want = bytes(512 * k)
    got = bytearray(want)
    got[1000] = got[200 * k] = got[330 * k - 1] = got[-1] = 1  # in 64 KiB pieces 0, 3, 5 and 7
    assert locate_mismatches(bytes(got), want, 512) == [(512, 1024), (200 * k, 200 * k + 512),
                                                        (330 * k - 512, 330 * k), (512 * k - 512, 512 * k)]
    got[260 * k] = 1  # piece 4: pieces 3 to 5 are now one run
    assert locate_mismatches(bytes(got), want, 512) == [(512, 1024), (200 * k, 330 * k), (512 * k - 512, 512 * k)]
    assert locate_mismatches(want, want, 512) == []
