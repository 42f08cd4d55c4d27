"""A small independent TFRecord reader for the tests: checks both CRCs of every record."""
import glob
import os
import struct


def _crc32c_bitwise(data):
    # deliberately a different (bitwise, table-free) implementation from the bundle's
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def _masked(data, crc_fn):
    crc = crc_fn(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path, verify_payload=True, crc_fn=None):
    """All record payloads of a TFRecord file; AssertionError on any bad CRC or truncation."""
    if crc_fn is None:
        from corelib_loggers._crc32c import crc32c as crc_fn
    with open(path, "rb") as f:
        data = f.read()
    out, pos = [], 0
    while pos < len(data):
        assert pos + 12 <= len(data), f"truncated header at {pos} in {path}"
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        assert hcrc == _masked(header, _crc32c_bitwise), f"bad length CRC at {pos} in {path}"
        payload = data[pos + 12:pos + 12 + length]
        assert len(payload) == length, f"truncated record at {pos} in {path}"
        (pcrc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if verify_payload:
            assert pcrc == _masked(payload, crc_fn), f"bad payload CRC at {pos} in {path}"
        out.append(payload)
        pos += 16 + length
    return out


def event_files(logdir):
    return sorted(glob.glob(os.path.join(str(logdir), "**", "*tfevents*"), recursive=True))
