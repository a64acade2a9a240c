"""Library work that leans on files and memory: tempfile, json, hashlib,
zlib, shutil, os.walk, sqlite3 with file locks, mmap."""
import hashlib
import json
import mmap
import os
import shutil
import sqlite3
import tempfile
import zlib

data = bytes((i * 7 + 3) & 0xFF for i in range(1 << 20))
print("sha256:", hashlib.sha256(data).hexdigest())
print("md5:", hashlib.md5(data).hexdigest())
print("blake2b:", hashlib.blake2b(b"moat", digest_size=16).hexdigest())
c = zlib.compress(data, 9)
print("zlib:", len(c), zlib.decompress(c) == data, zlib.crc32(data), zlib.adler32(data))

doc = {"name": "moat", "n": [1, 2.5, None, True], "nested": {"k": "v" * 3}, "u": "\u00e9"}
s = json.dumps(doc, sort_keys=True)
print("json:", s, json.loads(s) == doc)

with tempfile.TemporaryDirectory() as d:
    print("tempdir under /tmp:", d.startswith("/tmp/"), oct(os.stat(d).st_mode & 0o777))
    for sub in ("a", "a/b", "c"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    for i, name in enumerate(("a/x", "a/b/y", "c/z", "top")):
        with open(os.path.join(d, name), "w") as f:
            f.write(str(i) * (i + 1))
    walked = sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs)
    print("walk:", walked)
    shutil.copytree(os.path.join(d, "a"), os.path.join(d, "copy"))
    print("copytree:", sorted(os.listdir(os.path.join(d, "copy"))), open(os.path.join(d, "copy/b/y")).read())
    shutil.make_archive(os.path.join(d, "arch"), "gztar", d, "a")
    shutil.unpack_archive(os.path.join(d, "arch.tar.gz"), os.path.join(d, "un"))
    print("archive:", open(os.path.join(d, "un/a/b/y")).read())
    with tempfile.NamedTemporaryFile(dir=d, delete=False) as f:
        f.write(b"named")
    print("named:", open(f.name, "rb").read(), os.path.dirname(f.name) == d)
    with tempfile.TemporaryFile() as f:
        f.write(b"anonymous")
        f.seek(0)
        print("tempfile:", f.read(), os.listdir(tempfile.gettempdir()).count(os.path.basename(str(f.name))))
    db = sqlite3.connect(os.path.join(d, "t.db"))
    db.execute("create table t (k integer primary key, v text)")
    db.executemany("insert into t (v) values (?)", [("row%d" % i,) for i in range(500)])
    db.commit()
    print("sqlite:", db.execute("select count(*), min(v), max(k) from t").fetchone())
    db.close()
    with open(os.path.join(d, "m"), "w+b") as f:
        f.write(b"\0" * 8192)
        f.flush()
        with mmap.mmap(f.fileno(), 8192) as m:
            m[100:105] = b"hello"
            m.flush()
        f.seek(100)
        print("mmap:", f.read(5))
print("tempdir removed:", os.listdir("/tmp"))
