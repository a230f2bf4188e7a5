#!/usr/bin/env python3
"""craft.py WORK OUT - the OpenPGP fixtures gpg will not make (see make.sh).

Reads WORK/rsa.sec and WORK/sub.sec (unprotected secret keys from gpg --export-secret-keys),
OUT/rsa.pub, OUT/sub.pub and OUT/data.bin; writes the crafted files into OUT. Signatures are
v4 RSA PKCS#1 v1.5 with SHA-256 made here with Python's integers (RFC 4880 5.2.4, RFC 8017 9.2);
the Ed25519 key signs through the openssl command. New-format packet headers throughout, so the
crafted files also cover those."""
import hashlib
import os
import subprocess
import sys
import tempfile

T0 = 1704067200  # 2024-01-01 00:00:00 UTC, the keys' creation time
TSIG = T0 + 3600  # the signatures' time
SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def packets(b):
    """Split B into (tag, body) pairs (old and new headers, no partial lengths)."""
    out, o = [], 0
    while o < len(b):
        ctb = b[o]
        if ctb & 0x40:
            tag, a = ctb & 0x3F, b[o + 1]
            if a < 192:
                n, h = a, 2
            elif a < 224:
                n, h = ((a - 192) << 8) + b[o + 2] + 192, 3
            else:
                n, h = int.from_bytes(b[o + 2:o + 6], "big"), 6
        else:
            tag, ln = (ctb >> 2) & 15, [1, 2, 4][ctb & 3]
            n, h = int.from_bytes(b[o + 1:o + 1 + ln], "big"), 1 + ln
        out.append((tag, b[o + h:o + h + n]))
        o += h + n
    return out


def packet(tag, body):
    """A new-format packet."""
    n = len(body)
    if n < 192:
        hdr = bytes([n])
    elif n < 8384:
        hdr = bytes([((n - 192) >> 8) + 192, (n - 192) & 0xFF])
    else:
        hdr = b"\xff" + n.to_bytes(4, "big")
    return bytes([0xC0 | tag]) + hdr + body


def mpi(x):
    bits = x.bit_length()
    return bits.to_bytes(2, "big") + x.to_bytes((bits + 7) // 8, "big")


def read_mpi(b, o):
    bits = int.from_bytes(b[o:o + 2], "big")
    n = (bits + 7) // 8
    return int.from_bytes(b[o + 2:o + 2 + n], "big"), o + 2 + n


def rsa_secret(sec):
    """(public key body, n, d) of the primary RSA key in the secret key file SEC."""
    tag, body = packets(sec)[0]
    assert tag == 5 and body[0] == 4 and body[5] in (1, 3)
    n, o = read_mpi(body, 6)
    _, o = read_mpi(body, o)
    assert body[o] == 0, "the secret key is protected"
    d, _ = read_mpi(body, o + 1)
    return body[:o], n, d


def key_material(body):
    return b"\x99" + len(body).to_bytes(2, "big") + body


def fingerprint(body):
    return hashlib.sha1(key_material(body)).digest()


def sub(t, data, critical=False):
    body = bytes([t | (0x80 if critical else 0)]) + data
    assert len(body) < 192
    return bytes([len(body)]) + body


def created(t):
    return sub(2, t.to_bytes(4, "big"))


def issuer_fpr(fpr):
    return sub(33, b"\x04" + fpr)


def v4_head(sigtype, pk_algo, hash_algo, hashed):
    return bytes([4, sigtype, pk_algo, hash_algo]) + len(hashed).to_bytes(2, "big") + hashed


def digest(hashfn, material, head):
    return hashfn(material + head + b"\x04\xff" + len(head).to_bytes(4, "big")).digest()


def rsa_sign(key, fpr, sigtype, hashed_subs, material):
    """A v4 RSA/SHA-256 signature packet by KEY = (body, n, d) over MATERIAL."""
    _, n, d = key
    head = v4_head(sigtype, 1, 8, b"".join(hashed_subs))
    h = digest(hashlib.sha256, material, head)
    k = (n.bit_length() + 7) // 8
    t = SHA256_INFO + h
    em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    s = pow(int.from_bytes(em, "big"), d, n)
    unhashed = sub(16, fpr[12:])
    return packet(2, head + len(unhashed).to_bytes(2, "big") + unhashed + h[:2] + mpi(s))


def sig_subpackets(body):
    """The subpackets of signature body BODY, hashed then unhashed, as (type, data) pairs."""
    hl = int.from_bytes(body[4:6], "big")
    ul = int.from_bytes(body[6 + hl:8 + hl], "big")
    out = []
    for area in (body[6:6 + hl], body[8 + hl:8 + hl + ul]):
        o = 0
        while o < len(area):
            n = area[o]
            assert n < 192
            out.append((area[o + 1] & 0x7F, area[o + 2:o + 1 + n]))
            o += 1 + n
    return out


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def serialize(pkts):
    return b"".join(packet(t, b) for t, b in pkts)


def craft_rsa(work, out, data):
    key = rsa_secret(open(os.path.join(work, "rsa.sec"), "rb").read())
    fpr = fingerprint(key[0])
    write(os.path.join(out, "rsa-craft.sig"), rsa_sign(key, fpr, 0, [created(TSIG), issuer_fpr(fpr)], data))
    write(os.path.join(out, "rsa-crit.sig"),
          rsa_sign(key, fpr, 0, [created(TSIG), issuer_fpr(fpr), sub(101, b"x", critical=True)], data))
    write(os.path.join(out, "rsa-early.sig"), rsa_sign(key, fpr, 0, [created(T0 - 3600), issuer_fpr(fpr)], data))
    pkts = packets(open(os.path.join(out, "rsa.pub"), "rb").read())
    uid = [i for i, (t, _) in enumerate(pkts) if t == 13][0]
    assert pkts[uid + 1][0] == 2
    write(os.path.join(out, "rsa-nouid.pub"), serialize(pkts[:uid + 1] + pkts[uid + 2:]))


def craft_sub(work, out, data):
    key = rsa_secret(open(os.path.join(work, "sub.sec"), "rb").read())
    fpr = fingerprint(key[0])
    pkts = packets(open(os.path.join(out, "sub.pub"), "rb").read())
    si = [i for i, (t, _) in enumerate(pkts) if t == 14][0]
    assert pkts[si + 1][0] == 2 and pkts[si + 1][1][1] == 0x18
    material = key_material(key[0]) + key_material(pkts[si][1])
    embedded = [d for t, d in sig_subpackets(pkts[si + 1][1]) if t == 32][0]

    def rebind(*extra):
        subs = [created(T0), issuer_fpr(fpr)] + list(extra)
        return (2, packets(rsa_sign(key, fpr, 0x18, subs, material))[0][1])

    def variant(name, pk):
        write(os.path.join(out, name), serialize(pk))

    variant("sub-noback.pub", pkts[:si + 1] + [rebind(sub(27, b"\x02"))] + pkts[si + 2:])
    variant("sub-encflags.pub", pkts[:si + 1] + [rebind(sub(27, b"\x0c"), sub(32, embedded))] + pkts[si + 2:])
    variant("sub-expired.pub", pkts[:si + 1] + [rebind(sub(27, b"\x02"), sub(9, (86400).to_bytes(4, "big")),
                                                       sub(32, embedded))] + pkts[si + 2:])
    bad = bytearray(pkts[si + 1][1])
    bad[-5] ^= 0x01
    variant("sub-badbind.pub", pkts[:si + 1] + [(2, bytes(bad))] + pkts[si + 2:])
    rev = packets(rsa_sign(key, fpr, 0x28, [created(T0 + 60), issuer_fpr(fpr), sub(29, b"\x00")], material))[0]
    variant("sub-revoked.pub", pkts[:si + 2] + [rev] + pkts[si + 2:])
    write(os.path.join(out, "sub-primary.sig"), rsa_sign(key, fpr, 0, [created(TSIG), issuer_fpr(fpr)], data))


def ed25519_sign(tmp, message):
    """Sign MESSAGE with the Ed25519 key tmp/ed27.pem through openssl."""
    with open(os.path.join(tmp, "msg"), "wb") as f:
        f.write(message)
    subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", os.path.join(tmp, "ed27.pem"),
                    "-in", os.path.join(tmp, "msg"), "-out", os.path.join(tmp, "sig")], check=True)
    return open(os.path.join(tmp, "sig"), "rb").read()


def ed27_sig(tmp, fpr, sigtype, hashed_subs, material):
    """A v4 Ed25519 (algorithm 27) SHA-512 signature packet over MATERIAL."""
    head = v4_head(sigtype, 27, 10, b"".join(hashed_subs))
    h = digest(hashlib.sha512, material, head)
    s = ed25519_sign(tmp, h)
    assert len(s) == 64
    unhashed = sub(16, fpr[12:])
    return packet(2, head + len(unhashed).to_bytes(2, "big") + unhashed + h[:2] + s)


def craft_ed27(out, data):
    with tempfile.TemporaryDirectory() as tmp:
        pem = os.path.join(tmp, "ed27.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", pem], check=True)
        der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"], check=True,
                             capture_output=True).stdout
        body = bytes([4]) + T0.to_bytes(4, "big") + bytes([27]) + der[-32:]
        fpr = fingerprint(body)
        uid = b"pxeroot test ed27 <ed27@pxeroot.test>"
        material = key_material(body) + b"\xb4" + len(uid).to_bytes(4, "big") + uid
        self_sig = ed27_sig(tmp, fpr, 0x13, [created(T0), issuer_fpr(fpr), sub(27, b"\x03")], material)
        write(os.path.join(out, "ed27.pub"), packet(6, body) + packet(13, uid) + self_sig)
        write(os.path.join(out, "ed27.sig"), ed27_sig(tmp, fpr, 0, [created(TSIG), issuer_fpr(fpr)], data))


def main():
    work, out = sys.argv[1], sys.argv[2]
    data = open(os.path.join(out, "data.bin"), "rb").read()
    craft_rsa(work, out, data)
    craft_sub(work, out, data)
    craft_ed27(out, data)


if __name__ == "__main__":
    main()
