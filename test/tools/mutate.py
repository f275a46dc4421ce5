# Writes N damaged copies of a snapshot for the robustness test. Seeded, so
# every run tests the same files.
import os
import random
import sys

src, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(src, "rb").read()
rng = random.Random(20261123)
for i in range(count):
    b = bytearray(data)
    how = i % 4
    if how == 0:  # flip a few bits
        for _ in range(rng.randint(1, 4)):
            p = rng.randrange(len(b))
            b[p] ^= 1 << rng.randrange(8)
    elif how == 1:  # store a hostile byte (0, 0xff, 0x80) somewhere
        for _ in range(rng.randint(1, 3)):
            b[rng.randrange(len(b))] = rng.choice([0, 0xFF, 0x80, 0x7F])
    elif how == 2:  # cut
        b = b[: rng.randrange(len(b))]
    else:  # splice a region over another (sizes, offsets out of place)
        a = rng.randrange(len(b))
        n = rng.randint(1, 32)
        c = rng.randrange(len(b))
        b[c : c + n] = data[a : a + n]
    open(os.path.join(out, "m%04d.fr" % i), "wb").write(bytes(b))
print("wrote %d variants" % count)
