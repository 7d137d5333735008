"""Minimal reader for Pagefind's .pf_* files (gzip + b"pagefind_dcd" + CBOR) for probes."""
import gzip
import struct

def _dec(b, i):
    ib = b[i]; mt, ai = ib >> 5, ib & 31; i += 1
    if ai < 24: v = ai
    elif ai == 24: v = b[i]; i += 1
    elif ai == 25: v = struct.unpack_from(">H", b, i)[0]; i += 2
    elif ai == 26: v = struct.unpack_from(">I", b, i)[0]; i += 4
    elif ai == 27: v = struct.unpack_from(">Q", b, i)[0]; i += 8
    elif ai == 31: v = None
    else: raise ValueError(ai)
    if mt == 0: return v, i
    if mt == 1: return -1 - v, i
    if mt in (2, 3):
        if v is None:
            out = b"" if mt == 2 else ""
            while b[i] != 0xFF:
                part, i = _dec(b, i); out += part
            return out, i + 1
        s = b[i:i + v]; return (bytes(s) if mt == 2 else s.decode("utf-8", "replace")), i + v
    if mt == 4:
        out = []
        if v is None:
            while b[i] != 0xFF:
                x, i = _dec(b, i); out.append(x)
            return out, i + 1
        for _ in range(v):
            x, i = _dec(b, i); out.append(x)
        return out, i
    if mt == 5:
        out = {}
        n = v
        while (n is None and b[i] != 0xFF) or (n is not None and len(out) < n):
            k, i = _dec(b, i); x, i = _dec(b, i); out[k if not isinstance(k, list) else str(k)] = x
        return out, (i + 1 if n is None else i)
    if mt == 6: return _dec(b, i)
    if mt == 7:
        if ai == 20: return False, i
        if ai == 21: return True, i
        if ai == 22: return None, i
        return v, i
    raise ValueError(mt)

def load(path):
    raw = gzip.decompress(open(path, "rb").read())
    if raw.startswith(b"pagefind_dcd"): raw = raw[len(b"pagefind_dcd"):]
    return _dec(raw, 0)[0]
