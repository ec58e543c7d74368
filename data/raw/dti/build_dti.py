"""Rebuild the frozen provincial-DTI tables from the transcribed facts (run once; output is committed).

Sources (see SOURCE.md): ``../shared/context/facts/dti_provincial_observations.csv``,
``dti_2022_provincial_ranking_63.csv``, ``quangnam_district_dti_2023.csv`` and
``dti_methodology.csv``; province codes (GSO) from the SQLite table shipped in the PyPI package
``vietnamadminunits`` 1.0.4.

    python data/raw/dti/build_dti.py ../shared/context/facts

Every output row keeps the citation of the fact it came from (``source_url``, ``source_doc_date``,
``source_note``, ``confidence``). Nothing is invented: text that is not a number (ranges, "top 10")
goes to ``as_published`` with the numeric bounds in ``value_lo/value_hi`` or ``rank_lo/rank_hi``.
"""

import csv
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

import vietnamadminunits

HERE = Path(__file__).parent
FACTS = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[3] / "shared" / "context" / "facts")
DB = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"

#: metric names in the facts -> tidy metric ids
METRICS = {
    "DTI_overall": "dti",
    "DTI_overall_mean": "dti",
    "CQS_digital_government": "cqs",
    "CQS_mean": "cqs",
    "KTS_digital_economy": "kts",
    "KTS_mean": "kts",
    "XHS_digital_society": "xhs",
    "XHS_mean": "xhs",
    "national_DTI": "dti",
}
#: main-index columns of the 2022 ranking table -> tidy metric ids (Decision 922/QĐ-BTTTT order)
MAIN_INDICES = {
    "idx_nhan_thuc_so_awareness": "awareness",
    "idx_the_che_so_institutions": "institutions",
    "idx_ha_tang_so_infrastructure": "infrastructure",
    "idx_nhan_luc_so_human_resources": "human_resources",
    "idx_attt_mang_cybersecurity": "cybersecurity",
    "idx_hd_chinh_quyen_so_gov_activity": "gov_activity",
    "idx_hd_kinh_te_so_econ_activity": "econ_activity",
    "idx_hd_xa_hoi_so_soc_activity": "soc_activity",
}
#: district names (Quảng Nam, pre-2025) -> GSO district code; Nông Sơn (519) is not in the
#: package's legacy table (it merged into Quế Sơn on 1/1/2025) and is added by hand.
EXTRA_DISTRICTS = {"Nông Sơn": "519"}

COLUMNS = [
    "year",
    "scope",
    "unit_code",
    "unit_name",
    "metric",
    "value",
    "value_lo",
    "value_hi",
    "rank",
    "rank_lo",
    "rank_hi",
    "rank_of",
    "as_published",
    "is_derived",
    "confidence_level",
    "confidence",
    "source_url",
    "source_doc_date",
    "source_note",
    "source_file",
]


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s.strip()) if s else ""


def province_codes() -> tuple[dict, dict]:
    con = sqlite3.connect(DB)
    legacy = {
        nfc(n): c
        for c, n in con.execute(
            "select distinct provinceCode, provinceShort from admin_units_legacy"
        )
    }
    new = {
        nfc(n): c
        for c, n in con.execute("select distinct provinceCode, provinceShort from admin_units")
    }
    return legacy, new


def scope_of(text: str) -> str:
    text = text.lower()
    if text.startswith("63"):
        return "63_provinces"
    if text.startswith("34"):
        return "34_provinces"
    if text.startswith("national"):
        return "national"
    raise ValueError(f"unknown ranking_scope {text!r}")


def short_name(name: str) -> str:
    """'TP. Hồ Chí Minh (former)' -> 'Hồ Chí Minh'; 'Thừa Thiên - Huế' -> 'Huế'."""
    s = re.sub(r"\s*\(.*\)\s*$", "", nfc(name))
    s = re.sub(r"^TP\.\s*", "", s)
    return {"Thừa Thiên - Huế": "Huế"}.get(s, s)


def unit_code(name: str, scope: str, legacy: dict, new: dict) -> str:
    if name.startswith("(provincial mean)"):
        return "VN-PMEAN"  # mean over the 63 provinces as published by MIC/MST
    if scope == "national":
        return "VN"
    key = short_name(name)
    if scope == "34_provinces":
        return f"{new[key]}-2025"  # post-merger province (Resolution 202/2025/QH15), own code space
    return legacy[key]


def confidence_level(text: str) -> str:
    t = text.lower()
    for level in ("medium-high", "high", "medium", "low"):
        if t.startswith(level):
            return level
    raise ValueError(f"unknown confidence {text!r}")


def parse_value(text: str) -> tuple[str, str, str]:
    """Return (value, lo, hi) as text; ranges go to lo/hi."""
    t = nfc(text)
    if not t:
        return "", "", ""
    m = re.fullmatch(r"([0-9.]+)(\s*\(derived\))?", t)
    if m:
        return m.group(1), "", ""
    m = re.fullmatch(r"~([0-9.]+) to <([0-9.]+).*", t)
    if m:
        return "", m.group(1), m.group(2)
    raise ValueError(f"cannot parse value {text!r}")


def parse_rank(text: str, rank_of: str) -> tuple[str, str, str]:
    t = nfc(text)
    if not t:
        return "", "", ""
    if re.fullmatch(r"\d+", t):
        return t, "", ""
    m = re.search(r"ranks (\d+)-(\d+)", t)
    if m:
        return "", m.group(1), m.group(2)
    if t.startswith("bottom 3"):
        n = int(rank_of)
        return "", str(n - 2), str(n)
    raise ValueError(f"cannot parse rank {text!r}")


def observation_rows(legacy: dict, new: dict) -> list[dict]:
    rows = []
    path = FACTS / "dti_provincial_observations.csv"
    for r in csv.DictReader(open(path, encoding="utf-8")):
        scope = scope_of(r["ranking_scope"])
        names = [r["province"]]
        if "," in r["province"] and not r["province"].startswith("Đà Nẵng"):
            names = [n.strip() for n in r["province"].split(",")]  # one fact about three provinces
        metrics = ["cqs", "kts", "xhs"] if r["metric"] == "CQS/KTS/XHS" else [METRICS[r["metric"]]]
        value, vlo, vhi = parse_value(r["value"])
        rank, rlo, rhi = parse_rank(r["rank"], r["rank_of"])
        published = "; ".join(
            x
            for x in (
                f"value={nfc(r['value'])}"
                if r["value"] and (not value or "(" in r["value"])
                else "",
                f"rank={nfc(r['rank'])}" if r["rank"] and not rank else "",
                f"metric={r['metric']}" if len(metrics) > 1 else "",
                f"province={nfc(r['province'])}" if len(names) > 1 else "",
            )
            if x
        )
        conf = nfc(r["confidence"])
        derived = "derived" in conf.lower() or nfc(r["source_note"]).startswith("DERIVED")
        for name in names:
            for metric in metrics:
                rows.append(
                    {
                        "year": r["year"],
                        "scope": scope,
                        "unit_code": unit_code(name, scope, legacy, new),
                        "unit_name": nfc(name),
                        "metric": metric,
                        "value": value,
                        "value_lo": vlo,
                        "value_hi": vhi,
                        "rank": rank,
                        "rank_lo": rlo,
                        "rank_hi": rhi,
                        "rank_of": r["rank_of"],
                        "as_published": published,
                        "is_derived": str(derived).lower(),
                        "confidence_level": confidence_level(conf),
                        "confidence": conf,
                        "source_url": r["source_url"],
                        "source_doc_date": nfc(r["source_doc_date"]),
                        "source_note": nfc(r["source_note"]),
                        "source_file": path.name,
                    }
                )
    return rows


def ranking_rows(legacy: dict) -> list[dict]:
    """Overall 2022 rank of all 63 provinces, and PDTI + 8 main indices where dti.gov.vn prints them.

    Pillar values/ranks and overall values taken by the transcriber from other pages are NOT
    repeated here: they are rows of ``dti_provincial_observations.csv`` with their own URL (the
    build checks that both files agree).
    """
    path = FACTS / "dti_2022_provincial_ranking_63.csv"
    rows = []
    for r in csv.DictReader(open(path, encoding="utf-8")):
        note = nfc(r["source_note"])
        base = {
            "year": "2022",
            "scope": "63_provinces",
            "unit_code": legacy[short_name(r["province"])],
            "unit_name": nfc(r["province"]),
            "value_lo": "",
            "value_hi": "",
            "rank_lo": "",
            "rank_hi": "",
            "rank_of": "63",
            "as_published": "",
            "is_derived": "false",
            "confidence_level": "high",
            "confidence": "high",
            "source_url": r["source_url"],
            "source_doc_date": "2023-07 (DTI 2022 ranking page)",
            "source_file": path.name,
        }
        pdti = r["pdti_overall"] if "Xếp hạng chi tiết" in note else ""
        rows.append(
            {
                **base,
                "metric": "dti",
                "value": pdti,
                "rank": r["dti_rank_2022"],
                "source_note": "overall DTI 2022 rank list (tie at 15: Thanh Hóa & Yên Bái)"
                + ("; PDTI from the 'Xếp hạng chi tiết' table" if pdti else ""),
            }
        )
        for col, metric in MAIN_INDICES.items():
            if r[col]:
                rows.append(
                    {
                        **base,
                        "metric": metric,
                        "value": r[col],
                        "rank": "",
                        "source_note": "main-index value from the 'Xếp hạng chi tiết' table of dti.gov.vn/xep-hang-2022 (column order: Nhận thức số, Thể chế số, Hạ tầng số, Nhân lực số, ATTT mạng, HĐ chính quyền số, HĐ kinh tế số, HĐ xã hội số, PDTI)",
                    }
                )
    return rows


def check_agreement(obs: list[dict]) -> None:
    """The pillar/overall values that the ranking table borrowed must equal the cited rows."""
    path = FACTS / "dti_2022_provincial_ranking_63.csv"
    index = {
        (o["unit_name"].replace("TP. ", ""), o["metric"]): o for o in obs if o["year"] == "2022"
    }
    for r in csv.DictReader(open(path, encoding="utf-8")):
        name = nfc(r["province"]).replace("TP. ", "")
        for metric, vcol, rcol in (
            ("cqs", "pillar_CQS_value", "pillar_CQS_rank"),
            ("kts", "pillar_KTS_value", "pillar_KTS_rank"),
            ("xhs", "pillar_XHS_value", "pillar_XHS_rank"),
        ):
            if r[vcol] or r[rcol]:
                o = index[(name, metric)]
                assert (r[vcol] or "") == o["value"] and r[rcol] == o["rank"], (
                    name,
                    metric,
                    r[vcol],
                    r[rcol],
                    o,
                )


def district_rows() -> list[dict]:
    con = sqlite3.connect(DB)
    codes = {
        nfc(n): c
        for c, n in con.execute(
            "select distinct districtCode, districtShort from admin_units_legacy where provinceCode='49'"
        )
    }
    codes.update(EXTRA_DISTRICTS)
    path = FACTS / "quangnam_district_dti_2023.csv"
    rows = []
    for r in csv.DictReader(open(path, encoding="utf-8")):
        name = nfc(r["district"])
        rows.append(
            {
                "year": r["year"],
                "unit_code": codes[name],
                "unit_name": name,
                "parent_code": "49",
                "metric": "dti_pct",
                "value": r["dti_percent"],
                "rank": r["rank"],
                "rank_of": r["rank_of"],
                "class_vi": nfc(r["class"]),
                "confidence": "high",
                "source_url": r["source_url"],
                "source_doc_date": r["source_doc_date"],
                "source_note": nfc(r["source_note"]),
                "source_file": path.name,
            }
        )
    return rows


def methodology_rows() -> list[dict]:
    path = FACTS / "dti_methodology.csv"
    rows = []
    for r in csv.DictReader(open(path, encoding="utf-8")):
        rows.append({k: nfc(v) for k, v in r.items()} | {"source_file": path.name})
    return rows


def write(name: str, rows: list[dict], cols: list[str]) -> None:
    with open(HERE / name, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    legacy, new = province_codes()
    obs = observation_rows(legacy, new)
    check_agreement(obs)
    rows = obs + ranking_rows(legacy)
    rows.sort(key=lambda r: (r["year"], r["scope"], r["unit_code"], r["metric"], r["source_file"]))
    write("dti_provincial.csv", rows, COLUMNS)
    d = district_rows()
    write("quangnam_district_dti_2023.csv", d, list(d[0]))
    m = methodology_rows()
    write("dti_methodology.csv", m, list(m[0]))
    print(f"dti_provincial.csv: {len(rows)} rows; districts: {len(d)}; methodology: {len(m)}")


if __name__ == "__main__":
    main()
