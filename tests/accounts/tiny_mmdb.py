"""Write a tiny MaxMind DB (.mmdb) file by hand, for the GeoIP lookup tests: no writer package, no download.

The format (https://maxmind.github.io/MaxMind-DB/): a binary search tree over the address bits with 24-bit
records, 16 zero bytes, a data section of typed values, then the metadata map after a marker. This writes
an IPv4-only tree in which each given network leads to its own record and every other address to nothing.
"""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"
_STRING, _UINT16, _UINT32, _MAP = 2, 5, 6, 7
_UINT64, _ARRAY = 9, 11  # extended types: type byte 0, then (type - 7) after the control byte


def _control(kind: int, size: int) -> bytes:
    assert size < 29, "tiny values only"
    if kind <= 7:
        return bytes([(kind << 5) | size])
    return bytes([size, kind - 7])


def _uint(kind: int, value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return _control(kind, len(raw)) + raw


def encode(value: object) -> bytes:
    """A value in the data section's encoding (strings, small unsigned ints, maps, arrays)."""
    if isinstance(value, str):
        raw = value.encode()
        return _control(_STRING, len(raw)) + raw
    if isinstance(value, bool):
        raise TypeError("booleans are not needed here")
    if isinstance(value, int):
        return _uint(_UINT32, value)
    if isinstance(value, tuple):  # (kind, int) for the metadata's uint16 / uint64 fields
        return _uint(*value)
    if isinstance(value, dict):
        return _control(_MAP, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    if isinstance(value, list):
        return _control(_ARRAY, len(value)) + b"".join(encode(item) for item in value)
    raise TypeError(type(value))


def write(path: Path, records: dict[str, dict]) -> Path:
    """An IPv4 database mapping each network ("203.0.113.0/24") to its record (a dict)."""
    data, offsets = b"", []
    for record in records.values():
        offsets.append(len(data))
        data += encode(record)
    networks = [ipaddress.ip_network(cidr) for cidr in records]
    nodes: list[list[int | None]] = [[None, None]]  # node -> [left, right]: a node index or ("data", n)
    leaves: dict[tuple[int, int], int] = {}
    for index, network in enumerate(networks):
        bits = int(network.network_address)
        node = 0
        for depth in range(network.prefixlen):
            bit = (bits >> (31 - depth)) & 1
            if depth == network.prefixlen - 1:
                leaves[(node, bit)] = index
            else:
                if nodes[node][bit] is None:
                    nodes.append([None, None])
                    nodes[node][bit] = len(nodes) - 1
                node = nodes[node][bit]
    count = len(nodes)
    tree = b""
    for number, (left, right) in enumerate(nodes):
        values = []
        for bit, child in ((0, left), (1, right)):
            if (number, bit) in leaves:
                values.append(count + 16 + offsets[leaves[(number, bit)]])
            else:
                values.append(count if child is None else child)
        tree += b"".join(struct.pack(">I", value)[1:] for value in values)
    metadata = {
        "node_count": count, "record_size": (_UINT16, 24), "ip_version": (_UINT16, 4),
        "database_type": "Horseshoe-Test-City", "languages": ["en"],
        "binary_format_major_version": (_UINT16, 2), "binary_format_minor_version": (_UINT16, 0),
        "build_epoch": (_UINT64, 1_700_000_000), "description": {"en": "A tiny test database"},
    }
    path.write_bytes(tree + b"\x00" * 16 + data + METADATA_MARKER + encode(metadata))
    return path
