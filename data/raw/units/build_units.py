"""Rebuild the frozen Đại Lộc unit tables from their sources (run once; output is committed).

Sources (see SOURCE.md): ``../shared/context/facts/dai_loc_communes_2019.csv`` and
``dai_loc_commune_mapping_2025.csv`` (census 2019, district portal 2012, Resolution
1659/NQ-UBTVQH15), and the SQLite table shipped in the PyPI package ``vietnamadminunits``
1.0.4 (centroid coordinates and post-2025 areas).

    python data/raw/units/build_units.py ../shared/context/facts
"""

import csv
import sqlite3
import sys
import unicodedata
from pathlib import Path

import vietnamadminunits

HERE = Path(__file__).parent
FACTS = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[3] / "shared" / "context" / "facts")
DB = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s.strip())


def ascii_name(s: str) -> str:
    s = nfc(s).replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def main() -> None:
    con = sqlite3.connect(DB)
    legacy = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "select wardCode, wardLat, wardLon from admin_units_legacy where districtCode='506'"
        )
    }
    new = {
        r[0]: (r[1], r[2], r[3], r[4], r[5])
        for r in con.execute(
            "select wardCode, ward, wardLat, wardLon, wardAreaKm2, province from admin_units where provinceCode='48'"
        )
    }
    mapping = {r["old_code"]: r for r in csv.DictReader(open(FACTS / "dai_loc_commune_mapping_2025.csv", encoding="utf-8"))}
    rows = []
    for r in csv.DictReader(open(FACTS / "dai_loc_communes_2019.csv", encoding="utf-8")):
        code = r["code"]
        if code.startswith("new:"):
            continue
        full = nfc(r["name"])
        unit_type = "thị trấn" if full.startswith("Thị trấn") else "xã"
        short = full.split(" ", 2)[-1] if unit_type == "thị trấn" else full.split(" ", 1)[-1]
        lat, lon = legacy[code]
        m = mapping[code]
        rows.append(
            {
                "unit_code": code,
                "name_vi": short,
                "full_name_vi": full,
                "name_ascii": ascii_name(short),
                "unit_type": unit_type,
                "parent_code": "506",
                "former_district": "Đại Lộc",
                "lat": f"{lat:.6f}",
                "lon": f"{lon:.6f}",
                "population": r["population"],
                "households": r["households"],
                "area_km2": r["area_km2"],
                "area_source": "district portal 2012" if r["area_km2"] and code != "20547" else ("vi.wikipedia (census-consistent)" if code == "20547" else ""),
                "successor_code": m["new_code"],
                "successor_name_vi": nfc(m["new_commune_da_nang_from_2025_07_01"]).replace("Xã ", ""),
                "resolution_clause": m["resolution_clause"],
            }
        )
    cols = list(rows[0])
    with open(HERE / "dai_loc_units.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    pops: dict[str, int] = {}
    hh: dict[str, int] = {}
    for r in rows:
        pops[r["successor_code"]] = pops.get(r["successor_code"], 0) + int(r["population"])
        hh[r["successor_code"]] = hh.get(r["successor_code"], 0) + int(r["households"])
    out = []
    for code in sorted(pops):
        name, lat, lon, area, province = new[code]
        short = nfc(name).replace("Xã ", "")
        out.append(
            {
                "unit_code": code,
                "name_vi": short,
                "full_name_vi": nfc(name),
                "name_ascii": ascii_name(short),
                "unit_type": "xã",
                "parent_code": "48",
                "province_vi": nfc(province),
                "former_district": "Đại Lộc",
                "lat": f"{lat:.4f}",
                "lon": f"{lon:.4f}",
                "population_2019_constituents": pops[code],
                "households_2019_constituents": hh[code],
                "area_km2": f"{area:.2f}",
                "area_source": "vietnamadminunits 1.0.4 (wardAreaKm2)",
            }
        )
    with open(HERE / "dai_loc_units_2025.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, list(out[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(out)


if __name__ == "__main__":
    main()
