"""Fast deterministic integer hashing for the synthetic world.

Every number the emulator invents (ids, daily facts, demographic splits) is a pure function of the
world seed and stable integers (entity ids, day ordinals), so two emulators built from the same seed
answer every query identically, across processes and Python versions. ``random.Random`` per fact
would be far too slow for millions of creative-days, and ``hash()`` is salted per process, so this
module uses the SplitMix64 finaliser instead.

.. code-block:: python

    from airflow_provider_linkedin_ads.testing.hashing import hash_ints, unit

    h = hash_ints(7, 123456789, 739000)  # a 64-bit integer
    unit(h)  # a float in [0, 1)
"""

from __future__ import annotations

__all__ = ["GOLDEN", "MASK64", "hash_ints", "hash_text", "mix64", "pick", "unit", "unit_range"]

MASK64 = (1 << 64) - 1
#: 2**64 / golden ratio: the SplitMix64 increment, also used to spread small integers.
GOLDEN = 0x9E3779B97F4A7C15


def mix64(value: int) -> int:
    """Return the SplitMix64 finaliser of ``value`` (a well-mixed 64-bit integer).

    :param value: any integer; only its low 64 bits matter.
    """
    z = (value + GOLDEN) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def hash_ints(*parts: int) -> int:
    """Hash a sequence of integers into one 64-bit integer (order matters).

    :param parts: the integers to combine, e.g. ``(seed, creative_id, day_ordinal)``.
    """
    h = 0x243F6A8885A308D3
    for part in parts:
        h = mix64(h ^ (part & MASK64))
    return h


def hash_text(text: str) -> int:
    """Hash a string deterministically (unlike the built-in, per-process-salted ``hash``).

    :param text: any text, e.g. a member name or a lookup-table label.
    """
    h = 0x13198A2E03707344
    for chunk_start in range(0, len(text), 7):
        chunk = text[chunk_start : chunk_start + 7].encode("utf-8")
        h = mix64(h ^ int.from_bytes(chunk, "little"))
    return mix64(h ^ len(text))


def unit(value: int) -> float:
    """Map a 64-bit hash to a float in ``[0, 1)`` using its top 53 bits.

    :param value: a 64-bit hash.
    """
    return (value >> 11) / float(1 << 53)


def unit_range(value: int, low: float, high: float) -> float:
    """Map a 64-bit hash to a float in ``[low, high)``.

    :param value: a 64-bit hash.
    :param low: inclusive lower bound.
    :param high: exclusive upper bound.
    """
    return low + (high - low) * unit(value)


def pick(value: int, size: int) -> int:
    """Map a 64-bit hash to an index in ``range(size)``.

    :param value: a 64-bit hash.
    :param size: the number of choices (positive).
    """
    return (value >> 16) % size
