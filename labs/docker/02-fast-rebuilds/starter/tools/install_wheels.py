"""Installs wheels into a folder, offline: a small stand-in for `pip install --target`.

The lab's builds run without network and its base image may have no pip, so
this script does the two jobs of `pip install --no-index` the lab needs:

  python3 tools/install_wheels.py --target DIR WHEEL...
      install the given wheel files, whatever they are;

  python3 tools/install_wheels.py --target DIR --require-hashes \
      --find-links wheels -r requirements.lock
      install exactly the versions the lockfile pins, each from its wheel in
      wheels/, refusing any wheel whose sha256 differs from the lock.

The flags mean what they mean to pip, so the same lines work with
`pip install --no-index` on an image that has pip.
"""

import argparse
import compileall
import hashlib
import re
import sys
import zipfile
from pathlib import Path


def parse_lock(path):
    """Yields (name, version, hashes) for each `name==version --hash=sha256:...` requirement."""
    text = Path(path).read_text().replace("\\\n", " ")
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *options = line.split()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!-]+)", spec)
        hashes = [o.split(":", 1)[1] for o in options if o.startswith("--hash=sha256:")]
        if not match:
            sys.exit(f"{path}:{number}: `{spec}` is not pinned with == (a lockfile pins exact versions)")
        yield match.group(1), match.group(2), hashes


def normalise(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def locked_wheels(lock, find_links, require_hashes):
    for name, version, hashes in parse_lock(lock):
        if require_hashes and not hashes:
            sys.exit(f"{lock}: {name}=={version} has no --hash=sha256:... (--require-hashes)")
        candidates = [w for w in Path(find_links).glob("*.whl") if normalise(w.name.split("-")[0]) == normalise(name) and w.name.split("-")[1] == version]
        if not candidates:
            sys.exit(f"no wheel for {name}=={version} in {find_links}/")
        wheel = candidates[0]
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if hashes and digest not in hashes:
            sys.exit(f"{wheel}: sha256 {digest} is not the hash the lock expects for {name}=={version}")
        yield wheel


def install(wheel, target):
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    print(f"installed {wheel.name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True)
    parser.add_argument("-r", "--requirement", dest="lock")
    parser.add_argument("--find-links", default="wheels")
    parser.add_argument("--require-hashes", action="store_true")
    parser.add_argument("--no-index", action="store_true", help="accepted for pip compatibility (this tool never uses an index)")
    parser.add_argument("wheels", nargs="*")
    args = parser.parse_args()
    if bool(args.lock) == bool(args.wheels):
        parser.error("give either -r LOCKFILE or wheel files")
    wheels = list(locked_wheels(args.lock, args.find_links, args.require_hashes)) if args.lock else [Path(w) for w in args.wheels]
    Path(args.target).mkdir(parents=True, exist_ok=True)
    for wheel in wheels:
        install(wheel, args.target)
    compileall.compile_dir(args.target, quiet=1)


if __name__ == "__main__":
    main()
