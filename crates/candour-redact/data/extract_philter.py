#!/usr/bin/env python3
"""Regenerate the philter-lite word lists in this directory.

Usage (Python >= 3.11, for tomllib):

    cd /tmp && pip download --no-deps philter-lite==0.6.0
    unzip -o philter_lite-0.6.0-py3-none-any.whl -d philter
    python3 <crate>/data/extract_philter.py /tmp/philter

It reads philter_lite/filters/set.toml and writes three files, one lowercase word
a line, sorted by byte value (so Rust can binary-search them as &str), with no
empty lines and no duplicates:

    philter-firstnames.txt  <- set.toml `firstnames`
    philter-surnames.txt    <- set.toml `lastnames`
    philter-safewords.txt   <- set.toml `nonames` (philter's "safe" whitelist)

It also copies the wheel's licence to LICENSE-philter-lite.txt.
"""
import pathlib
import shutil
import sys
import tomllib

LISTS = {
    "firstnames": "philter-firstnames.txt",
    "lastnames": "philter-surnames.txt",
    "nonames": "philter-safewords.txt",
}


def main() -> None:
    root = pathlib.Path(sys.argv[1])
    out = pathlib.Path(__file__).resolve().parent
    with open(root / "philter_lite" / "filters" / "set.toml", "rb") as f:
        sets = tomllib.load(f)
    for key, name in LISTS.items():
        words = sorted({w.strip().lower() for w in sets[key] if w.strip()},
                       key=lambda w: w.encode("utf-8"))
        (out / name).write_text("".join(w + "\n" for w in words), encoding="utf-8")
        print(f"{name}: {len(words)} words")
    lic = next((root / "philter_lite-0.6.0.dist-info").glob("licenses/LICENSE*"))
    shutil.copyfile(lic, out / "LICENSE-philter-lite.txt")


if __name__ == "__main__":
    main()
