#!/usr/bin/env python3
"""Regenerate the seed corpus of fuzz_image_decode (seeds/, each < 4 KB).

PNGs are built chunk by chunk with zlib (all colour types, bit depths 1-16,
palette + tRNS, Adam7 interlace); JPEGs come from the system TurboJPEG
(libturbojpeg.so.0 through ctypes): baseline 4:2:0/4:4:4/4:2:2, grey,
progressive, odd sizes. Deterministic: same bytes on every run."""
import ctypes, math, os, struct, zlib

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
os.makedirs(out, exist_ok=True)


def chunk(t, data):
    c = struct.pack(">I", len(data)) + t + data
    return c + struct.pack(">I", zlib.crc32(t + data) & 0xFFFFFFFF)


def png(name, w, h, depth, ctype, rows, plte=None, trns=None, interlace=0):
    raw = b"".join(b"\x00" + r for r in rows)  # filter 0 per row (interlace: rows are pass rows)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace))
    if plte:
        data += chunk(b"PLTE", plte)
    if trns:
        data += chunk(b"tRNS", trns)
    data += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    open(os.path.join(out, name), "wb").write(data)


def px(x, y, c):
    return int(128 + 100 * math.sin(x * 0.5 + y * 0.3 + c))


png("rgb8_16x12.png", 16, 12, 8, 2, [bytes(px(x, y, c) for x in range(16) for c in range(3)) for y in range(12)])
png("rgba8_9x7.png", 9, 7, 8, 6, [bytes(px(x, y, c) for x in range(9) for c in range(4)) for y in range(7)])
png("gray8_13x5.png", 13, 5, 8, 0, [bytes(px(x, y, 0) for x in range(13)) for y in range(5)])
png("gray1_17x3.png", 17, 3, 1, 0, [bytes([0xA5, 0x5A, 0x80]) for _ in range(3)])
png("graya8_4x4.png", 4, 4, 8, 4, [bytes(px(x, y, c) for x in range(4) for c in range(2)) for y in range(4)])
png("rgb16_5x4.png", 5, 4, 16, 2, [b"".join(struct.pack(">H", px(x, y, c) * 257) for x in range(5) for c in range(3)) for y in range(4)])
png("pal4_8x6.png", 8, 6, 4, 3, [bytes((x * 2 + y) % 16 * 16 + (x * 2 + 1 + y) % 16 for x in range(4)) for y in range(6)],
    plte=bytes(px(i, 0, c) for i in range(16) for c in range(3)), trns=bytes(range(0, 255, 32)))
# Adam7 interlaced 8x8 grey: 7 passes of sizes 1x1,1x1,2x1,2x2,4x2,4x4,8x4 rows.
passes = [(1, 1), (1, 1), (2, 1), (2, 2), (4, 2), (4, 4), (8, 4)]
rows = []
for (pw, ph) in passes:
    rows += [bytes((x * 31 + y * 17) & 255 for x in range(pw)) for y in range(ph)]
png("gray8_8x8_adam7.png", 8, 8, 8, 0, rows, interlace=1)

tj = ctypes.CDLL("libturbojpeg.so.0")
tj.tjInitCompress.restype = ctypes.c_void_p
tj.tjCompress2.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                           ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_ulong), ctypes.c_int, ctypes.c_int,
                           ctypes.c_int]
tj.tjFree.argtypes = [ctypes.c_void_p]
tj.tjDestroy.argtypes = [ctypes.c_void_p]
TJPF_RGB, TJPF_GRAY = 0, 6
TJSAMP_444, TJSAMP_422, TJSAMP_420, TJSAMP_GRAY = 0, 1, 2, 3
TJFLAG_PROGRESSIVE = 16384


def jpeg(name, w, h, gray, samp, q, flags=0):
    c = 1 if gray else 3
    buf = bytes(px(x, y, k) for y in range(h) for x in range(w) for k in range(c))
    h_ = tj.tjInitCompress()
    dst, size = ctypes.c_void_p(), ctypes.c_ulong()
    r = tj.tjCompress2(h_, buf, w, 0, h, TJPF_GRAY if gray else TJPF_RGB, ctypes.byref(dst), ctypes.byref(size), samp, q, flags)
    assert r == 0, name
    open(os.path.join(out, name), "wb").write(ctypes.string_at(dst, size.value))
    tj.tjFree(dst)
    tj.tjDestroy(h_)


jpeg("rgb_420_16x16.jpg", 16, 16, False, TJSAMP_420, 75)
jpeg("rgb_444_9x7.jpg", 9, 7, False, TJSAMP_444, 90)
jpeg("rgb_422_24x8.jpg", 24, 8, False, TJSAMP_422, 50)
jpeg("gray_8x8.jpg", 8, 8, True, TJSAMP_GRAY, 80)
jpeg("rgb_420_17x13_progressive.jpg", 17, 13, False, TJSAMP_420, 70, TJFLAG_PROGRESSIVE)
jpeg("rgb_420_64x48.jpg", 64, 48, False, TJSAMP_420, 30)

for f in sorted(os.listdir(out)):
    n = os.path.getsize(os.path.join(out, f))
    assert n < 4096, f
    print(f, n)
