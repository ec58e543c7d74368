"""Rebuild the national unit tables from their source (run once; the output is committed).

Source (see SOURCE.md): the SQLite table shipped in the PyPI package ``vietnamadminunits``
1.0.4 (MIT): GSO codes, names, types, centroids and (post-2025) areas of every commune-level
unit, before and after the arrangement of 1 July 2025.

    pip download --no-deps vietnamadminunits==1.0.4   # then unzip the wheel, or pip install it
    python data/raw/units/build_national.py [path/to/dataset.db]

Writes ``vn_units_2025.csv`` (3,321 communes, wards and special zones of the 34 provinces) and
``vn_units_pre2025.csv`` (10,035 communes, wards and townships of the 63 former provinces; the
five island districts without communes are not units). Population and households are not in
the source: the columns are present (the units contract) and empty.
"""

import csv
import sqlite3
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent


def _db() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(s).split()))


def ascii_name(s: str) -> str:
    s = nfc(s).replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def short(full: str, kind: str) -> str:
    full = nfc(full)
    return full[len(kind) :].strip() if kind and full.lower().startswith(kind.lower()) else full


def write(path: Path, header: list[str], rows: list[dict]) -> None:
    rows.sort(key=lambda r: r["unit_code"])
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)
    print(f"{path.name}: {len(rows)} units")


def main() -> None:
    con = sqlite3.connect(_db())
    new = []
    q = (
        "select wardCode, ward, wardType, provinceCode, province, wardLat, wardLon, wardAreaKm2 "
        "from admin_units"
    )
    for code, ward, kind, pcode, prov, lat, lon, area in con.execute(q):
        name = short(ward, kind)
        new.append(
            {
                "unit_code": code,
                "name_vi": name,
                "full_name_vi": nfc(ward),
                "name_ascii": ascii_name(name),
                "unit_type": nfc(kind).lower(),
                "parent_code": pcode,
                "province_vi": nfc(prov),
                "lat": f"{lat:.4f}",
                "lon": f"{lon:.4f}",
                "population": "",
                "households": "",
                "area_km2": "" if area is None else f"{area:.2f}",
            }
        )
    write(HERE / "vn_units_2025.csv", list(new[0]), new)
    old = []
    q = (
        "select wardCode, ward, wardType, districtCode, district, provinceCode, province, "
        "wardLat, wardLon from admin_units_legacy where wardCode is not null"
    )
    for code, ward, kind, dcode, dist, pcode, prov, lat, lon in con.execute(q):
        name = short(ward, kind)
        old.append(
            {
                "unit_code": code,
                "name_vi": name,
                "full_name_vi": nfc(ward),
                "name_ascii": ascii_name(name),
                "unit_type": nfc(kind).lower(),
                "parent_code": dcode,
                "former_district": nfc(dist),
                "province_code": pcode,
                "province_vi": nfc(prov),
                "lat": f"{lat:.4f}",
                "lon": f"{lon:.4f}",
                "population": "",
                "households": "",
            }
        )
    write(HERE / "vn_units_pre2025.csv", list(old[0]), old)


if __name__ == "__main__":
    main()
