"""Sphinx-3 Gaussian parameter files and the synthetic-voice adaptation built from them at load time."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Transform = list[tuple[Array, Array]]
"""(A, b) per feature stream: mean' = A mean + b."""
BYTE_ORDER_MAGIC = 0x11223344


def read_gauden(path: Path) -> Array:
    """A Sphinx-3 means or variances file as (codebook, stream, density, dimension); ValueError if it is not one."""
    raw = path.read_bytes()
    try:
        i = raw.index(b"endhdr\n") + 7
        if struct.unpack("<I", raw[i : i + 4])[0] != BYTE_ORDER_MAGIC:
            raise ValueError(f"{path}: not a little-endian Sphinx-3 parameter file")
        n_cb, n_stream, n_density = struct.unpack("<3i", raw[i + 4 : i + 16])
        veclen = struct.unpack(f"<{n_stream}i", raw[i + 16 : i + 16 + 4 * n_stream])
    except (ValueError, struct.error) as exc:
        raise ValueError(f"{path}: not a Sphinx-3 parameter file ({exc})") from None
    if len(set(veclen)) != 1:
        raise ValueError(f"{path}: streams of different lengths {veclen} are not supported")
    i += 16 + 4 * n_stream + 4  # past the total count
    size = n_cb * n_stream * n_density * veclen[0]
    values = np.frombuffer(raw, dtype="<f4", count=size, offset=i).astype(np.float64)
    return values.reshape(n_cb, n_stream, n_density, veclen[0])


def write_gauden(path: Path, values: Array) -> None:
    """Write (codebook, stream, density, dimension) parameters as a Sphinx-3 file (no checksum)."""
    n_cb, n_stream, n_density, dim = values.shape
    header = b"s3\nversion 1.0\nendhdr\n"
    counts = struct.pack(f"<I3i{n_stream}ii", BYTE_ORDER_MAGIC, n_cb, n_stream, n_density, *[dim] * n_stream,
                         values.size)
    path.write_bytes(header + counts + values.astype("<f4").tobytes())


def read_mllr(path: Path) -> Transform:
    """A one-class MLLR transform in PocketSphinx's text format (the variance scales are ignored)."""
    tokens = path.read_text(encoding="ascii").split()
    if not tokens or int(tokens[0]) != 1:
        raise ValueError(f"{path}: expected an MLLR transform with one regression class")
    pos, out = 2, []
    for _ in range(int(tokens[1])):
        n = int(tokens[pos])
        values = np.array([float(t) for t in tokens[pos + 1 : pos + 1 + n * n + n]])
        out.append((values[: n * n].reshape(n, n), values[n * n :]))
        pos += 1 + n * n + 2 * n
    return out


def write_mllr(path: Path, transform: Transform) -> None:
    """PocketSphinx's MLLR text format: classes, streams, then per stream its length, A, b and variance scale."""
    lines = ["1", str(len(transform))]
    for a, b in transform:
        lines.append(str(a.shape[0]))
        lines += [" ".join(f"{v:.6f}" for v in row) for row in a]
        lines.append(" ".join(f"{v:.6f}" for v in b))
        lines.append(" ".join("1.0" for _ in b))
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def apply_mllr(means: Array, transform: Transform) -> Array:
    """Means with each stream's affine transform applied."""
    out = means.copy()
    for s, (a, b) in enumerate(transform):
        out[:, s] = means[:, s] @ a.T + b
    return out


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_mean_offsets(path: Path, offsets: Array, base_means: Path) -> None:
    """Save MAP mean offsets (added after the MLLR transform) for the means file they were estimated on."""
    with path.open("wb") as f:
        np.savez_compressed(f, offsets=offsets.astype(np.float16), base_sha256=np.array(sha256(base_means)))


def write_variance_scales(path: Path, log_ratio: Array, base_variances: Path) -> None:
    """Add MAP variance scales (log of adapted over base variance) to an offsets file made by write_mean_offsets."""
    with np.load(path, allow_pickle=False) as data:
        kept = {key: data[key] for key in data.files if not key.startswith("variance_")}
    staging = path.with_name(path.name + ".partial")
    with staging.open("wb") as f:
        np.savez_compressed(f, **kept, variance_log_ratio=log_ratio.astype(np.float16),
                            variance_base_sha256=np.array(sha256(base_variances)))
    staging.replace(path)


def build_adapted_variances(base_variances: Path, offsets_file: Path, out: Path) -> bool:
    """Write the base variances times the file's MAP variance scales to out.

    False when the file holds no scales, or holds them for other base variances (the base variances then stand).
    """
    with np.load(offsets_file, allow_pickle=False) as data:
        if "variance_log_ratio" not in data.files or str(data["variance_base_sha256"]) != sha256(base_variances):
            return False
        log_ratio = data["variance_log_ratio"].astype(np.float64)
    variances = read_gauden(base_variances)
    if log_ratio.shape != variances.shape:
        return False
    write_gauden(out, variances * np.exp(log_ratio))
    return True


def build_adapted_means(base_means: Path, mllr: Path, offsets_file: Path, out: Path) -> bool:
    """Write base means + MLLR + MAP offsets to out; False when the offsets were made for other base means."""
    with np.load(offsets_file, allow_pickle=False) as data:
        if str(data["base_sha256"]) != sha256(base_means):
            return False
        offsets = data["offsets"].astype(np.float64)
    means = apply_mllr(read_gauden(base_means), read_mllr(mllr))
    if offsets.shape != means.shape:
        return False
    write_gauden(out, means + offsets)
    return True
