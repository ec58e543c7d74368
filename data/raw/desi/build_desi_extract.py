"""Rebuild ``DESI_extract.csv`` from the European Commission's long DESI export (run once; committed).

The long export ``DESI.csv`` (2.4 MB; see SOURCE.md) holds every DESI indicator. The gap
analysis reads only its rows with ``indicator`` ``desi`` (the four dimensions' weighted
contributions) and ``desi_total`` (the published total): this script copies exactly those lines,
byte for byte and in their order, under the same header, after checking the original's checksum.

    python data/raw/desi/build_desi_extract.py ../shared/datasets/desi/DESI.csv
"""

import csv
import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).parent
ORIGINAL_SHA256 = "4bfc9731180b0b38da841dfad5d5b36c1a8d5613175dd1caa645e29fc862282f"
KEEP = {"desi", "desi_total"}


def main(src: Path, out: Path) -> None:
    data = src.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != ORIGINAL_SHA256:
        sys.exit(f"{src}: sha256 {digest} is not the documented {ORIGINAL_SHA256}")
    lines = data.decode("utf-8").splitlines(keepends=True)
    rows = csv.reader(lines)
    header = next(rows)
    col = header.index("indicator")
    kept = [lines[0]] + [line for line, row in zip(lines[1:], rows) if row[col] in KEEP]
    out.write_bytes("".join(kept).encode("utf-8"))
    print(f"{out}: {len(kept) - 1} of {len(lines) - 1} rows")


if __name__ == "__main__":
    default = HERE.parents[3] / "shared" / "datasets" / "desi" / "DESI.csv"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default, HERE / "DESI_extract.csv")
