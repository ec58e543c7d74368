"""Rebuild the frozen targets table from the transcribed facts (run once; output is committed).

Source (see SOURCE.md): ``../shared/context/facts/national_and_quangnam_targets.csv``.

    python data/raw/targets/build_targets.py ../shared/context/facts

Output ``targets.csv`` is long: one row per (document, indicator, target year). The text as
published is kept in ``as_published``; a number is parsed only where the text states one
(``80%``, ``>=10%``, ``top 50``); text that is not a firm number ("phổ cập", "not seen") keeps
``target_value`` empty. ``row_kind`` is ``target`` except for one plan-status row (``status``:
Quảng Nam's 2024 plan, 19 of 24 targets met) and one qualitative goal (``goal``). Citation columns are copied unchanged.
"""

import csv
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
FACTS = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[3] / "shared" / "context" / "facts")

PILLARS = {
    "Chính phủ số": "government",
    "Kinh tế số": "economy",
    "Xã hội số": "society",
    "Xã hội số / hạ tầng": "society",
    "An toàn thông tin": "",  # cyber security: not one of the three pillars
    "status 2024": "",
    "general": "",
}
#: annual 2023 targets: pillar by indicator (the fact file gives no pillar)
ANNUAL_2023_PILLAR = {
    "Giá trị tăng thêm kinh tế số": "economy",
    "TMĐT": "economy",
    "DNNVV": "economy",
    "Thuê bao di động": "society",
    "Hộ gia đình có Internet": "society",
    "Dân số trưởng thành có tài khoản định danh": "society",
    "Dân số >=15 tuổi có tài khoản": "society",
    "Dân số có hồ sơ sức khỏe": "society",
}
COLUMNS = [
    "document_id",
    "document",
    "scope",
    "row_kind",
    "pillar",
    "pillar_vi",
    "indicator_vi",
    "target_year",
    "as_published",
    "target_op",
    "target_value",
    "target_unit",
    "confidence",
    "source_url",
    "source_note",
]


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s.strip()) if s else ""


def document_id(doc: str) -> tuple[str, str]:
    m = re.search(r"(\d+/QĐ-TTg|\d+/KH-UBND|\d+-NQ/TU)", doc)
    if doc.startswith("Kế hoạch hành động năm 2023"):
        return "UBQG-CDS-KH-2023", "national"
    if doc.startswith("Quảng Nam"):
        return (m.group(1) if m else "QN-NQ26-NQ168"), "quang_nam"
    return m.group(1), "national"


def parse_target(text: str) -> tuple[str, str, str]:
    """Return (op, value, unit) for a firm numeric target, else ('', '', '').

    >>> parse_target("80%"), parse_target(">=10%"), parse_target("top 50"), parse_target("phổ cập")
    (('>=', '80', '%'), ('>=', '10', '%'), ('<=', '50', 'rank'), ('', '', ''))
    """
    t = nfc(text)
    if not t or t.startswith("(") or "targets;" in t:
        return "", "", ""
    m = re.match(r"^(>=|>|khoảng\s+)?(\d+(?:\.\d+)?)%", t)
    if m:
        op = {None: ">=", ">=": ">=", ">": ">"}.get(m.group(1), "~")
        return op, m.group(2), "%"
    m = re.match(r"^top (\d+)$", t)
    if m:
        return "<=", m.group(1), "rank"
    return "", "", ""


def main() -> None:
    path = FACTS / "national_and_quangnam_targets.csv"
    out = []
    for r in csv.DictReader(open(path, encoding="utf-8")):
        doc = nfc(r["document"])
        doc_id, scope = document_id(doc)
        pillar_vi = nfc(r["pillar"])
        indicator = nfc(r["indicator"])
        if pillar_vi == "annual 2023 target":
            pillar = next(p for k, p in ANNUAL_2023_PILLAR.items() if indicator.startswith(k))
            years = (("target_2025", "2023"),)  # the fact file keeps the 2023 value in target_2025
        elif pillar_vi == "status 2024":
            pillar = ""
            years = (
                ("target_2025", "2024"),
            )  # a plan status (targets of the 2024 plan met), not a target
        else:
            pillar = PILLARS[pillar_vi]
            years = (("target_2025", "2025"), ("target_2030", "2030"))
        for col, year in years:
            text = nfc(r[col])
            if not text:
                continue
            op, value, unit = parse_target(text)
            kind = {"status 2024": "status", "general": "goal"}.get(pillar_vi, "target")
            out.append(
                {
                    "document_id": doc_id,
                    "document": doc,
                    "scope": scope,
                    "row_kind": kind,
                    "pillar": pillar,
                    "pillar_vi": pillar_vi,
                    "indicator_vi": indicator,
                    "target_year": year,
                    "as_published": text,
                    "target_op": op,
                    "target_value": value,
                    "target_unit": unit,
                    "confidence": nfc(r["confidence"]),
                    "source_url": nfc(r["source_url"]),
                    "source_note": nfc(r["source_note"]),
                }
            )
    with open(HERE / "targets.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    print(f"targets.csv: {len(out)} rows")


if __name__ == "__main__":
    main()
