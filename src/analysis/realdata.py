"""Real, published data in the tidy contracts: UN EGDI, EU DESI, Vietnam's provincial DTI.

Each loader returns a :class:`RealData` with

* ``observations`` in the observations contract (``unit_code, period, indicator, value, status,
  source``; ``status`` is ``observed``, or ``estimated`` for a DTI figure derived by arithmetic
  from published text); missing components are absent rows, never zeros;
* ``units``: one row per unit in the units contract of HELPERS.md (``unit_code`` always a string;
  columns a source does not give, e.g. population of a country, are NaN), then source extras
  (``name_en``, ``region``, ``is_asean``, ``iso3``); ``name_vi`` falls back to ``name_en``;
* ``published``: the published aggregate(s) for checks (``unit_code, period, name, value, rank``
  plus source columns), e.g. the EGDI a preset must reproduce;
* ``notes``: plain statements of what is missing or was set aside, for the edition to print.

``obs, units, published = load_egdi()`` also works (``notes`` is left out of the unpacking).
``RealData.framework`` names the matching framework (``data/frameworks/<name>.yaml``, also a
composite preset registered on import: ``egdi``, ``desi2022``, ``dti_provincial``, ``dti_pillars``).

For notebooks and editions: :func:`detect_source` tells a source folder/file by its file names and
:func:`load_real_inputs` returns ``(RealData, Framework)`` with observations restricted to the
framework (the DTI default is ``dti_pillars``: the published pillar values CQS/KTS/XHS).

UN E-Government Survey (:func:`load_egdi`)
==========================================
Layouts read (detected from the header, case-insensitive; see ``_EGDI_ALIASES``):

* UNU-EGOV ``egdi-YYYY.csv`` (2010–2018): ``country-code, country-name, e-gov-rank, e-gov-index,
  e-pat-index, osi, hci, tii``; the year comes from the file name;
* UN DESA ``EGOV_DATA_2022.csv``: ``Survey Year, Country Name, E-Government Rank, E-Government
  Index, E-Participation Index, Online Service Index, Human Capital Index, Telecommunication
  Infrastructure Index`` (no country code: names are matched to ISO3);
* ``EGOV_DATA_2024.csv`` as re-published with renamed columns: ``Survey Year, Country, Rank,
  E_Index, E_Participation, Online_Service, Human_Capital, Tele_Infra, Region``;
* the combined long file ``egdi_osi_tii_hci_2010_2024.csv`` (``survey_year, iso3, country,
  egdi_rank, egdi, ..., source_url, source_note``; ``iso3`` empty for 2022 and 2024).

Given a folder, every ``egdi*.csv`` / ``EGOV*.csv`` in it is read; a single-year file wins over the
combined file for the same country and year. Country names are matched to ISO3 with the table of
the 193 UN member states below (UN names as in the survey, plus the renamings "North Macedonia"
and "Türkiye"); ``region`` is the continent as in the 2024 file; ``is_asean`` marks the ten ASEAN
members (Viet Nam's region for the editions).

Indicators: ``osi`` (Online Service Index) -> pillar ``government``; ``hci`` (Human Capital
Index) and ``tii`` (Telecommunication Infrastructure Index) -> pillar ``society``. There is no
economy pillar in the EGDI. Published: ``egdi`` (with ``rank``) and ``epi`` (E-Participation).

What the published files say about the formula (checked by ``tests/test_realdata.py``):

* 2012–2024: EGDI = (OSI + HCI + TII) / 3 for every country, within the published rounding;
* 2010: EGDI = 0.34·OSI + 0.33·HCI + 0.33·TII (a least-squares fit over the 183 ranked countries
  gives these weights with residuals below 1e-5; equal weights miss by up to 4e-3). The weights
  per year are in :data:`EGDI_WEIGHTS`;
* placeholders: in 2010 ten countries (no HCI) and in 2012 three countries (Libya, Central
  African Republic, Guinea) carry EGDI 0 with rank "184"/"191" although their components are
  not all zero: they were not assessed. Their EGDI and rank become NaN, and a component
  published as exactly 0 in such a row is dropped (it cannot be told from "not assessed");
  South Sudan 2010 has no values at all. Each case is listed in ``notes``.

EU Digital Economy and Society Index, 2022 methodology (:func:`load_desi`)
==========================================================================
Reads ``desi_dimension_scores_2017_2022.csv`` (wide) or the long ``DESI.csv`` (European
Commission's digital-agenda-data export: ``indicator=desi``, ``breakdown=desi_hc|desi_conn|
desi_idt|desi_dps``, ``unit_measure=pc_desi``). The value published is each dimension's weighted
contribution to the DESI as a fraction; with the 2022 weights (25% each) the dimension score on
0–100 is ``400 × pc_desi``. Indicators: ``dps`` (digital public services) -> ``government``;
``idt`` (integration of digital technology) -> ``economy``; ``hc`` (human capital) and ``conn``
(connectivity) -> ``society``. Published: ``desi`` = ``100 × desi_total`` from ``DESI.csv``
(0–100). Editions 2017–2022 are all on the 2022 methodology (the Commission re-computed them).
Unit codes are the Commission's (``EL`` for Greece); ``EU`` (the EU-27 aggregate) is kept in
``published`` and only enters ``observations`` with ``include_aggregate=True``.

Provincial DTI (:func:`load_dti`, :func:`load_dti_pillars`)
============================================================
Reads ``data/raw/dti/dti_provincial.csv`` (built by ``data/raw/dti/build_dti.py`` from the
transcribed facts, one cited row per published figure). Unit codes: GSO province codes for the
63 pre-2025 provinces (``"49"`` = Quảng Nam), ``"NN-2025"`` for the 34 post-merger provinces,
``"VN"`` for the national DTI and ``"VN-PMEAN"`` for the published mean over provinces.
Indicators: ``dti`` (overall PDTI), ``cqs``/``kts``/``xhs`` (published pillar values: digital
government / economy / society) and the eight scored main indices of Decision 922/QĐ-BTTTT
(``awareness, institutions, infrastructure, human_resources, cybersecurity, gov_activity,
econ_activity, soc_activity``). Where two sources give the same figure the higher-confidence row
wins and disagreements are listed in ``notes``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .errors import DataValidationError, ParameterError
from .schema import Problem

__all__ = [
    "DESI_DIMENSIONS",
    "DESI_PILLARS",
    "DTI_MAIN_INDICES",
    "DTI_POINTS",
    "EGDI_COMPONENTS",
    "EGDI_PILLARS",
    "EGDI_WEIGHTS",
    "RealData",
    "egdi_weights",
    "load_desi",
    "load_dti",
    "load_dti_districts",
    "load_dti_pillars",
    "load_egdi",
    "load_real_data",
    "load_real_inputs",
    "detect_source",
    "load_targets",
]

#: EGDI components in survey order and their pillar in the gap analysis.
EGDI_COMPONENTS = ("osi", "hci", "tii")
EGDI_PILLARS = {"osi": "government", "hci": "society", "tii": "society"}
#: Weights of the EGDI formula by survey year, where they differ from equal thirds.
EGDI_WEIGHTS = {2010: {"osi": 0.34, "hci": 0.33, "tii": 0.33}}
#: DESI (2022 methodology) dimensions and their pillar.
DESI_DIMENSIONS = ("dps", "idt", "hc", "conn")
DESI_PILLARS = {"dps": "government", "idt": "economy", "hc": "society", "conn": "society"}
#: DTI main indices (Decision 922/QĐ-BTTTT, used for DTI 2022 and 2023) and their points.
DTI_POINTS = {
    "awareness": 100,
    "institutions": 100,
    "infrastructure": 100,
    "human_resources": 100,
    "cybersecurity": 100,
    "gov_activity": 200,
    "econ_activity": 150,
    "soc_activity": 150,
}
DTI_MAIN_INDICES = tuple(DTI_POINTS)
_DTI_PILLAR_METRICS = {"cqs": "government", "kts": "economy", "xhs": "society", "dti": "index"}
_CONFIDENCE_ORDER = {"high": 0, "medium-high": 1, "medium": 2, "low": 3}

# --------------------------------------------------------------------------- reference tables
# ISO3|region|UN name|other names. The 193 UN member states: ISO3 codes and names as in the UNU-EGOV
# egdi-2018.csv, region (continent) as in EGOV_DATA_2024.csv, renamings as in the 2022/2024 files.
_UN_MEMBERS = """
AFG|Asia|Afghanistan
AGO|Africa|Angola
ALB|Europe|Albania
AND|Europe|Andorra
ARE|Asia|United Arab Emirates
ARG|America|Argentina
ARM|Europe|Armenia
ATG|America|Antigua and Barbuda
AUS|Oceania|Australia
AUT|Europe|Austria
AZE|Asia|Azerbaijan
BDI|Africa|Burundi
BEL|Europe|Belgium
BEN|Africa|Benin
BFA|Africa|Burkina Faso
BGD|Asia|Bangladesh
BGR|Europe|Bulgaria
BHR|Asia|Bahrain
BHS|America|Bahamas
BIH|Europe|Bosnia and Herzegovina
BLR|Europe|Belarus
BLZ|America|Belize
BOL|America|Bolivia
BRA|America|Brazil
BRB|America|Barbados
BRN|Asia|Brunei Darussalam
BTN|Asia|Bhutan
BWA|Africa|Botswana
CAF|Africa|Central African Republic
CAN|America|Canada
CHE|Europe|Switzerland
CHL|America|Chile
CHN|Asia|China
CIV|Africa|Côte d'Ivoire
CMR|Africa|Cameroon
COD|Africa|Democratic Republic of the Congo
COG|Africa|Congo
COL|America|Colombia
COM|Africa|Comoros
CPV|Africa|Cabo Verde
CRI|America|Costa Rica
CUB|America|Cuba
CYP|Asia|Cyprus
CZE|Europe|Czech Republic
DEU|Europe|Germany
DJI|Africa|Djibouti
DMA|America|Dominica
DNK|Europe|Denmark
DOM|America|Dominican Republic
DZA|Africa|Algeria
ECU|America|Ecuador
EGY|Africa|Egypt
ERI|Africa|Eritrea
ESP|Europe|Spain
EST|Europe|Estonia
ETH|Africa|Ethiopia
FIN|Europe|Finland
FJI|Asia|Fiji
FRA|Europe|France
FSM|Oceania|Micronesia (Federated States of)
GAB|Africa|Gabon
GBR|Europe|United Kingdom of Great Britain and Northern Ireland
GEO|Asia|Georgia (Country)
GHA|Africa|Ghana
GIN|Africa|Guinea
GMB|Africa|Gambia
GNB|Africa|Guinea-Bissau
GNQ|Africa|Equatorial Guinea
GRC|Europe|Greece
GRD|America|Grenada
GTM|America|Guatemala
GUY|America|Guyana
HND|America|Honduras
HRV|Europe|Croatia
HTI|America|Haiti
HUN|Europe|Hungary
IDN|Asia|Indonesia
IND|Asia|India
IRL|Europe|Ireland
IRN|Asia|Iran (Islamic Republic of)
IRQ|Asia|Iraq
ISL|Europe|Iceland
ISR|Asia|Israel
ITA|Europe|Italy
JAM|America|Jamaica
JOR|Asia|Jordan
JPN|Asia|Japan
KAZ|Asia|Kazakhstan
KEN|Africa|Kenya
KGZ|Asia|Kyrgyzstan
KHM|Asia|Cambodia
KIR|Oceania|Kiribati
KNA|America|Saint Kitts and Nevis
KOR|Asia|Republic of Korea
KWT|Asia|Kuwait
LAO|Asia|Lao People's Democratic Republic
LBN|Asia|Lebanon
LBR|Africa|Liberia
LBY|Africa|Libya
LCA|America|Saint Lucia
LIE|Europe|Liechtenstein
LKA|Asia|Sri Lanka
LSO|Africa|Lesotho
LTU|Europe|Lithuania
LUX|Europe|Luxembourg
LVA|Europe|Latvia
MAR|Africa|Morocco
MCO|Europe|Monaco
MDA|Europe|Republic of Moldova
MDG|Africa|Madagascar
MDV|Asia|Maldives
MEX|America|Mexico
MHL|Oceania|Marshall Islands
MKD|Europe|The former Yugoslav Republic of Macedonia|North Macedonia
MLI|Africa|Mali
MLT|Europe|Malta
MMR|Asia|Myanmar
MNE|Europe|Montenegro
MNG|Asia|Mongolia
MOZ|Africa|Mozambique
MRT|Africa|Mauritania
MUS|Africa|Mauritius
MWI|Africa|Malawi
MYS|Asia|Malaysia
NAM|Africa|Namibia
NER|Africa|Niger
NGA|Africa|Nigeria
NIC|Europe|Nicaragua
NLD|Europe|Netherlands
NOR|Europe|Norway
NPL|Asia|Nepal
NRU|Oceania|Nauru
NZL|Oceania|New Zealand
OMN|Asia|Oman
PAK|Asia|Pakistan
PAN|America|Panama
PER|America|Peru
PHL|Asia|Philippines
PLW|Oceania|Palau
PNG|Oceania|Papua New Guinea
POL|Europe|Poland
PRK|Asia|Democratic People's Republic of Korea
PRT|Europe|Portugal
PRY|America|Paraguay
QAT|Asia|Qatar
ROU|Europe|Romania
RUS|Europe|Russian Federation
RWA|Africa|Rwanda
SAU|Asia|Saudi Arabia
SDN|Africa|Sudan
SEN|Africa|Senegal
SGP|Asia|Singapore
SLB|Oceania|Solomon Islands
SLE|Africa|Sierra Leone
SLV|America|El Salvador
SMR|Europe|San Marino
SOM|Africa|Somalia
SRB|Europe|Serbia
SSD|Africa|South Sudan
STP|Africa|Sao Tome and Principe
SUR|America|Suriname
SVK|Europe|Slovakia
SVN|Europe|Slovenia
SWE|Europe|Sweden
SWZ|Africa|Eswatini
SYC|Africa|Seychelles
SYR|Asia|Syrian Arab Republic
TCD|Africa|Chad
TGO|Africa|Togo
THA|Asia|Thailand
TJK|Asia|Tajikistan
TKM|Asia|Turkmenistan
TLS|Asia|Timor-Leste
TON|Oceania|Tonga
TTO|America|Trinidad and Tobago
TUN|Africa|Tunisia
TUR|Asia|Turkey|Türkiye
TUV|Oceania|Tuvalu
TZA|Africa|United Republic of Tanzania
UGA|Africa|Uganda
UKR|Europe|Ukraine
URY|America|Uruguay
USA|America|United States of America
UZB|Asia|Uzbekistan
VCT|America|Saint Vincent and the Grenadines
VEN|America|Venezuela
VNM|Asia|Viet Nam
VUT|Oceania|Vanuatu
WSM|Oceania|Samoa
YEM|Asia|Yemen
ZAF|Africa|South Africa
ZMB|Africa|Zambia
ZWE|Africa|Zimbabwe
"""
_ASEAN = frozenset({"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"})
#: Vietnamese names of the ASEAN members (for the Vietnamese brief of Viet Nam and its region).
_ASEAN_VI = {
    "BRN": "Brunei", "KHM": "Campuchia", "IDN": "Indonesia", "LAO": "Lào", "MYS": "Malaysia",
    "MMR": "Myanmar", "PHL": "Philippines", "SGP": "Singapore", "THA": "Thái Lan", "VNM": "Việt Nam",
}  # fmt: skip
_EU = {
    "AT": ("Austria", "AUT"),
    "BE": ("Belgium", "BEL"),
    "BG": ("Bulgaria", "BGR"),
    "CY": ("Cyprus", "CYP"),
    "CZ": ("Czechia", "CZE"),
    "DE": ("Germany", "DEU"),
    "DK": ("Denmark", "DNK"),
    "EE": ("Estonia", "EST"),
    "EL": ("Greece", "GRC"),
    "ES": ("Spain", "ESP"),
    "FI": ("Finland", "FIN"),
    "FR": ("France", "FRA"),
    "HR": ("Croatia", "HRV"),
    "HU": ("Hungary", "HUN"),
    "IE": ("Ireland", "IRL"),
    "IT": ("Italy", "ITA"),
    "LT": ("Lithuania", "LTU"),
    "LU": ("Luxembourg", "LUX"),
    "LV": ("Latvia", "LVA"),
    "MT": ("Malta", "MLT"),
    "NL": ("Netherlands", "NLD"),
    "PL": ("Poland", "POL"),
    "PT": ("Portugal", "PRT"),
    "RO": ("Romania", "ROU"),
    "SE": ("Sweden", "SWE"),
    "SI": ("Slovenia", "SVN"),
    "SK": ("Slovakia", "SVK"),
    "EU": ("European Union (EU-27)", None),
}


def _key(name: str) -> str:
    """Matching key of a country name: NFC, stripped, case-folded, single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(name)).strip()).casefold()


def _un_table() -> tuple[pd.DataFrame, dict[str, str]]:
    rows, lookup = [], {}
    for line in _UN_MEMBERS.strip().splitlines():
        iso3, region, name, *aliases = line.split("|")
        rows.append({"unit_code": iso3, "name_en": name, "region": region})
        for n in (name, *aliases):
            lookup[_key(n)] = iso3
    return pd.DataFrame(rows), lookup


# --------------------------------------------------------------------------- result type
@dataclass(frozen=True)
class RealData:
    """Published data in the tidy contracts.

    Attributes:
        observations: ``unit_code, period, indicator, value, status, source``.
        units: one row per unit; ``unit_code`` first, always a string.
        published: published aggregates: ``unit_code, period, name, value, rank, source`` (+ extras).
        notes: plain statements of what is missing, set aside or conflicting.
        framework: name of the matching framework preset / ``data/frameworks/<name>.yaml``
            (``egdi``, ``desi2022``, ``dti_provincial``), usable as ``compute_scores(obs, name)``.
    """

    observations: pd.DataFrame
    units: pd.DataFrame
    published: pd.DataFrame
    notes: tuple[str, ...] = field(default=())
    framework: str | None = None

    def __iter__(self) -> Iterator[pd.DataFrame]:
        yield self.observations
        yield self.units
        yield self.published

    def wide(self, indicators: Iterable[str] | None = None) -> pd.DataFrame:
        """Observations as one row per ``unit_code, period`` and one column per indicator."""
        obs = self.observations
        if indicators is not None:
            obs = obs[obs["indicator"].isin(list(indicators))]
        out = obs.pivot_table(
            index=["unit_code", "period"], columns="indicator", values="value", aggfunc="first"
        )
        out.columns.name = None
        return out.reset_index()


# --------------------------------------------------------------------------- helpers
def _problem(path, row, column, value, message, fix="") -> Problem:
    return Problem(str(path), row, column, value, message, fix)


def _numeric(
    df: pd.DataFrame, column: str, header: str, path, problems: list, *, row_offset: int = 2
) -> pd.Series:
    """Parse a column as float; every non-numeric, non-blank cell becomes a Problem."""
    raw = df[column]
    text = raw.astype("string").str.strip()
    num = pd.to_numeric(text, errors="coerce")
    bad = (
        num.isna()
        & text.notna()
        & (text != "")
        & ~text.str.lower().isin(["na", "nan", "n/a", ".."])
    )
    for idx in df.index[bad.to_numpy()]:
        problems.append(
            _problem(
                path,
                int(idx) + row_offset,
                header,
                raw.at[idx],
                "not a number",
                "fix the cell (decimal point) or leave it blank for a missing value",
            )
        )
    return num.astype(float)


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    if not path.exists():
        raise DataValidationError(
            [
                _problem(
                    path,
                    None,
                    None,
                    None,
                    "file not found",
                    "check the path; see README (data sources) for where to download it",
                )
            ],
            source=str(path),
        )
    try:
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig", **kwargs
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataValidationError(
            [
                _problem(
                    path, None, None, None, f"cannot be read as CSV ({exc})", "save it as UTF-8 CSV"
                )
            ],
            source=str(path),
        ) from exc


def _years_filter(years) -> set[str] | None:
    if years is None:
        return None
    if isinstance(years, int | str):
        years = [years]
    return {str(int(y)) for y in years}


def _dedupe_sorted(values: pd.Series) -> str:
    return " ; ".join(dict.fromkeys(v for v in values if isinstance(v, str) and v))


#: Columns of the units contract (HELPERS.md); real-data units fill what the source gives.
_UNITS_CONTRACT = (
    "unit_code", "name_vi", "full_name_vi", "name_ascii", "unit_type", "parent_code", "former_district",
    "lat", "lon", "population", "households", "area_km2", "area_source", "successor_code",
    "successor_name_vi", "resolution_clause",
)  # fmt: skip
_NUMERIC_UNIT_COLUMNS = ("lat", "lon", "population", "households", "area_km2")


def _ascii(name: str) -> str:
    s = unicodedata.normalize("NFC", name).replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def _to_units_contract(units: pd.DataFrame) -> pd.DataFrame:
    """Add the missing contract columns (NaN / empty: not published for these units), contract order first.

    ``name_vi`` falls back to ``name_en`` where no Vietnamese name is given.
    """
    out = units.copy()
    if "name_vi" not in out:
        out["name_vi"] = pd.NA
    if "name_en" in out:
        out["name_vi"] = out["name_vi"].fillna(out["name_en"])
    if "full_name_vi" not in out:
        out["full_name_vi"] = out["name_vi"]
    if "name_ascii" not in out:
        out["name_ascii"] = out["name_vi"].map(_ascii)
    for c in _UNITS_CONTRACT:
        if c not in out:
            out[c] = np.nan if c in _NUMERIC_UNIT_COLUMNS else pd.NA
    for c in _NUMERIC_UNIT_COLUMNS:
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    out["unit_code"] = out["unit_code"].astype(str)
    extra = [c for c in out.columns if c not in _UNITS_CONTRACT]
    return out[list(_UNITS_CONTRACT) + extra].reset_index(drop=True)


def egdi_weights(year: int | str) -> dict[str, float]:
    """Weights of OSI, HCI and TII in the published EGDI of ``year`` (sum 1).

    >>> egdi_weights(2010)
    {'osi': 0.34, 'hci': 0.33, 'tii': 0.33}
    >>> round(egdi_weights("2024")["osi"], 6)
    0.333333
    """
    return dict(EGDI_WEIGHTS.get(int(year), dict.fromkeys(EGDI_COMPONENTS, 1 / 3)))


# --------------------------------------------------------------------------- EGDI
_EGDI_ALIASES = {
    "year": ("survey year", "survey_year", "year"),
    "iso3": ("country-code", "iso3", "country code", "country_code", "iso", "iso_code"),
    "country": ("country-name", "country name", "country", "country_name"),
    "rank": ("e-gov-rank", "e-government rank", "rank", "egdi_rank", "egdi rank"),
    "egdi": ("e-gov-index", "e-government index", "e_index", "egdi"),
    "epi": (
        "e-pat-index",
        "e-participation index",
        "e_participation",
        "e_participation_index",
        "epi",
    ),
    "osi": ("osi", "online service index", "online_service", "osi_online_service"),
    "hci": ("hci", "human capital index", "human_capital", "hci_human_capital"),
    "tii": (
        "tii",
        "telecommunication infrastructure index",
        "tele_infra",
        "tii_telecom_infrastructure",
    ),
    "region": ("region",),
    "source_url": ("source_url",),
}


def _map_columns(columns, aliases: dict) -> dict[str, str]:
    """canonical name -> header in the file."""
    found = {}
    norm = {_key(c): c for c in columns}
    for canon, names in aliases.items():
        for n in names:
            if n in norm:
                found[canon] = norm[n]
                break
    return found


def _read_egdi_file(path: Path) -> pd.DataFrame:
    """One EGDI file, any known layout -> canonical columns (values still raw)."""
    df = _read_csv(path)
    cols = _map_columns(df.columns, _EGDI_ALIASES)
    need = [c for c in ("egdi", "osi", "hci", "tii") if c not in cols]
    if "iso3" not in cols and "country" not in cols:
        need.insert(0, "country or iso3")
    if need:
        expect = {c: _EGDI_ALIASES.get(c, ("country-name", "country-code"))[:3] for c in need}
        raise DataValidationError(
            [
                _problem(
                    path,
                    1,
                    None,
                    list(df.columns),
                    f"not a known E-Government Survey layout: missing {need}",
                    f"expected headers such as {expect}",
                )
            ],
            source=str(path),
        )
    out = pd.DataFrame(index=df.index)
    for canon, header in cols.items():
        out[canon] = df[header]
    out["_header"] = [cols] * len(df)
    if "year" not in cols:
        m = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", path.stem)
        if not m:
            raise DataValidationError(
                [
                    _problem(
                        path,
                        1,
                        None,
                        None,
                        "no survey-year column and no year in the file name",
                        "add a 'Survey Year' column or name the file egdi-YYYY.csv",
                    )
                ],
                source=str(path),
            )
        out["year"] = m.group(1)
    out["_file"] = path.name
    out["_row"] = df.index + 2
    out["_single_year"] = out["year"].nunique() <= 1
    return out


def _egdi_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.suffix.lower() == ".csv" and re.match(r"(?i)(egdi|egov)", p.name)
        )
        if not files:
            raise DataValidationError(
                [
                    _problem(
                        path,
                        None,
                        None,
                        None,
                        "no egdi*.csv or EGOV*.csv file in this folder",
                        "download the UN E-Government Survey data (see README) into it",
                    )
                ],
                source=str(path),
            )
        return files
    return [path]


def load_egdi(
    path_or_dir: str | Path | None = None, years: Iterable[int | str] | int | None = None
) -> RealData:
    """Load UN E-Government Survey data (any of the layouts in the module docstring).

    Args:
        path_or_dir: a CSV file or a folder of them (default ``SHARED_DATASETS/egdi``).
        years: survey years to keep (default all).

    Returns:
        :class:`RealData`: observations of ``osi``, ``hci``, ``tii`` (``unit_code`` = ISO3,
        ``period`` = survey year); units ``unit_code, name_en, unit_type, region, is_asean, name_vi``;
        published ``egdi`` (with ``rank``) and ``epi``.

    Raises:
        DataValidationError: unknown layout, unknown country name or non-numeric cell, naming
            the file, row and column.
    """
    path = Path(path_or_dir) if path_or_dir is not None else config.SHARED_DATASETS / "egdi"
    members, lookup = _un_table()
    frames = [_read_egdi_file(p) for p in _egdi_files(path)]
    raw = pd.concat(frames, ignore_index=True)
    problems: list[Problem] = []

    # ISO3: given, else matched by name
    iso = (
        raw["iso3"].astype("string").str.strip().str.upper()
        if "iso3" in raw
        else pd.Series(pd.NA, index=raw.index, dtype="string")
    )
    names = (
        raw["country"]
        .astype("string")
        .map(lambda s: unicodedata.normalize("NFC", s).strip() if isinstance(s, str) else s)
        if "country" in raw
        else pd.Series(pd.NA, index=raw.index, dtype="string")
    )
    by_name = names.map(lambda s: lookup.get(_key(s)) if isinstance(s, str) else None)
    iso = iso.where(iso.notna() & (iso != ""), by_name.astype("string"))
    for idx in raw.index[iso.isna().to_numpy()]:
        header = raw.at[idx, "_header"].get("country", "country")
        problems.append(
            _problem(
                raw.at[idx, "_file"],
                int(raw.at[idx, "_row"]),
                header,
                names.get(idx),
                "country name not matched to an ISO3 code",
                "use the UN name as in the E-Government Survey, or add a 'country-code' (ISO3) column",
            )
        )
    raw["unit_code"] = iso
    raw["year"] = raw["year"].astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)
    for c in ("rank", "egdi", "epi", *EGDI_COMPONENTS):
        if c in raw:
            vals = np.full(len(raw), np.nan)
            for fname, idx in raw.groupby("_file").groups.items():
                sub = raw.loc[idx]
                header = sub["_header"].iloc[0].get(c, c)
                vals[raw.index.get_indexer(idx)] = _numeric(
                    sub.set_index(sub["_row"] - 2), c, header, fname, problems
                ).to_numpy()
            raw[c] = vals
        else:
            raw[c] = np.nan
    if problems:
        raise DataValidationError(problems, source=str(path))

    keep = _years_filter(years)
    if keep is not None:
        raw = raw[raw["year"].isin(keep)]
    # a single-year file wins over the combined file for the same country and year
    raw = (
        raw.sort_values(["_single_year"], ascending=False, kind="stable")
        .drop_duplicates(["unit_code", "year"])
        .copy()
    )

    notes: list[str] = []
    comps = list(EGDI_COMPONENTS)
    placeholder = (raw["egdi"] == 0) & (raw[comps].fillna(0).sum(axis=1) > 0)
    empty = raw[["egdi", *comps]].isna().all(axis=1)
    for _, r in raw[placeholder].iterrows():
        zero = [c for c in comps if r[c] == 0]
        missing = [c for c in comps if pd.isna(r[c])]
        notes.append(
            f"EGDI {r['year']} {r['unit_code']}: published EGDI 0 (rank {r['rank']:.0f}) with non-zero components: not assessed; "
            f"EGDI and rank set to missing"
            + (f", components published as 0 dropped {zero}" if zero else "")
            + (f", components missing {missing}" if missing else "")
        )
    for _, r in raw[empty].iterrows():
        notes.append(f"EGDI {r['year']} {r['unit_code']}: no values published (file {r['_file']})")
    zero_in_placeholder = placeholder.to_numpy()[:, None] & (raw[comps].to_numpy() == 0)
    raw[comps] = raw[comps].mask(zero_in_placeholder)
    raw.loc[placeholder, ["egdi", "rank"]] = np.nan

    raw["period"] = raw["year"].astype(str)
    if "source_url" in raw:
        src = raw["source_url"].astype("string")
    else:
        src = pd.Series(pd.NA, index=raw.index, dtype="string")
    default_src = "UN DESA E-Government Survey " + raw["period"] + " (" + raw["_file"] + ")"
    raw["source"] = src.where(src.notna() & (src != ""), default_src).astype(str)

    obs = raw.melt(
        id_vars=["unit_code", "period", "source"],
        value_vars=comps,
        var_name="indicator",
        value_name="value",
    )
    obs = obs[obs["value"].notna()].assign(status="observed")
    obs = obs[["unit_code", "period", "indicator", "value", "status", "source"]]
    obs = obs.sort_values(["period", "unit_code", "indicator"], kind="stable").reset_index(
        drop=True
    )
    obs["unit_code"] = obs["unit_code"].astype(str)

    pub = pd.concat(
        [
            raw[["unit_code", "period", "egdi", "rank", "source"]]
            .rename(columns={"egdi": "value"})
            .assign(name="egdi"),
            raw[["unit_code", "period", "epi", "source"]]
            .rename(columns={"epi": "value"})
            .assign(name="epi", rank=np.nan),
        ],
        ignore_index=True,
    )
    pub = (
        pub[["unit_code", "period", "name", "value", "rank", "source"]]
        .sort_values(["name", "period", "unit_code"], kind="stable")
        .reset_index(drop=True)
    )
    pub["unit_code"] = pub["unit_code"].astype(str)

    units = members[members["unit_code"].isin(set(raw["unit_code"]))].copy()
    units.insert(2, "unit_type", "country")
    units["is_asean"] = units["unit_code"].isin(_ASEAN)
    units["name_vi"] = units["unit_code"].map(_ASEAN_VI)  # ASEAN only; others: use name_en
    units = units.reset_index(drop=True)
    lacking = sorted(set(raw["unit_code"]) - set(obs["unit_code"]))
    if lacking:
        notes.append(f"EGDI: no component values at all for {lacking}")
    return RealData(obs, _to_units_contract(units), pub, tuple(notes), framework="egdi")


# --------------------------------------------------------------------------- DESI
_DESI_WIDE = {
    "year": ("desi_edition_year", "year", "time_period"),
    "geo": ("country_code", "ref_area", "geo"),
    "hc": ("human_capital_desi_hc", "desi_hc", "hc"),
    "conn": ("connectivity_desi_conn", "desi_conn", "conn"),
    "idt": ("integration_digital_tech_desi_idt", "desi_idt", "idt"),
    "dps": ("digital_public_services_desi_dps", "desi_dps", "dps"),
}
_DESI_BREAKDOWN = {"desi_hc": "hc", "desi_conn": "conn", "desi_idt": "idt", "desi_dps": "dps"}


def _desi_long(df: pd.DataFrame, path: Path, problems: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Commission's long export -> (contributions wide, totals)."""
    need = [
        c
        for c in ("time_period", "ref_area", "indicator", "breakdown", "unit_measure", "value")
        if c not in df.columns
    ]
    if need:
        raise DataValidationError(
            [
                _problem(
                    path,
                    1,
                    None,
                    list(df.columns),
                    f"missing column(s) {need}",
                    "use the long DESI export (observation, time_period, ref_area, indicator, breakdown, unit_measure, value)",
                )
            ],
            source=str(path),
        )
    df = df.copy()
    df["value"] = _numeric(df, "value", "value", path, problems)
    dims = df[
        (df["indicator"] == "desi")
        & (df["unit_measure"] == "pc_desi")
        & df["breakdown"].isin(list(_DESI_BREAKDOWN))
    ]
    wide = dims.pivot_table(
        index=["time_period", "ref_area"], columns="breakdown", values="value", aggfunc="first"
    ).rename(columns=_DESI_BREAKDOWN)
    wide.columns.name = None
    wide = wide.reset_index().rename(columns={"time_period": "year", "ref_area": "geo"})
    tot = df[(df["indicator"] == "desi_total") & (df["breakdown"] == "desi_total")]
    totals = tot[["time_period", "ref_area", "value"]].rename(
        columns={"time_period": "year", "ref_area": "geo"}
    )
    return wide, totals


def _desi_wide(df: pd.DataFrame, path: Path, problems: list) -> pd.DataFrame:
    cols = _map_columns(df.columns, _DESI_WIDE)
    need = [c for c in _DESI_WIDE if c not in cols]
    if need:
        raise DataValidationError(
            [
                _problem(
                    path,
                    1,
                    None,
                    list(df.columns),
                    f"not a DESI dimension layout: missing {need}",
                    f"expected headers {[_DESI_WIDE[c][0] for c in need]}",
                )
            ],
            source=str(path),
        )
    out = pd.DataFrame({"year": df[cols["year"]], "geo": df[cols["geo"]]})
    for d in DESI_DIMENSIONS:
        out[d] = _numeric(df, cols[d], cols[d], path, problems)
    if "source_url" in df.columns:
        out["source"] = df["source_url"]
    return out


def load_desi(
    path_or_dir: str | Path | None = None, *, include_aggregate: bool = False
) -> RealData:
    """Load the EU DESI (2022 methodology) dimension scores and published totals.

    Args:
        path_or_dir: the folder (default ``SHARED_DATASETS/desi``) holding
            ``desi_dimension_scores_*.csv`` and/or ``DESI.csv``, or one of those files. The
            published totals come from ``DESI.csv`` (``indicator=desi_total``); without it
            ``published`` is empty and ``notes`` says so.
        include_aggregate: keep the EU-27 aggregate (``EU``) in ``observations`` too.

    Returns:
        :class:`RealData`: observations ``dps, idt, hc, conn`` as scores 0–100 (``400 × pc_desi``);
        units ``unit_code, name_en, iso3, unit_type``; published ``desi`` (0–100) with the rank
        among member states.
    """
    path = Path(path_or_dir) if path_or_dir is not None else config.SHARED_DATASETS / "desi"
    problems: list[Problem] = []
    notes: list[str] = []
    if path.is_dir():
        dim_files = sorted(path.glob("desi_dimension_scores*.csv"))
        long_file = path / "DESI.csv"
        dim_file = dim_files[0] if dim_files else None
        if dim_file is None and not long_file.exists():
            raise DataValidationError(
                [
                    _problem(
                        path,
                        None,
                        None,
                        None,
                        "no desi_dimension_scores*.csv or DESI.csv in this folder",
                        "download the DESI data (see README) into it",
                    )
                ],
                source=str(path),
            )
    else:
        dim_file, long_file = (
            (None, path) if "indicator" in _read_csv(path, nrows=0).columns else (path, None)
        )
    totals = None
    long_wide = None
    if long_file is not None and long_file.exists():
        long_wide, totals = _desi_long(_read_csv(long_file), long_file, problems)
        long_wide["source"] = (
            f"European Commission DESI 2022 ({long_file.name}, indicator=desi, unit pc_desi)"
        )
    if dim_file is not None:
        wide = _desi_wide(_read_csv(dim_file), dim_file, problems)
        if "source" not in wide:
            wide["source"] = f"European Commission DESI 2022 ({dim_file.name})"
    else:
        wide = long_wide
    if problems:
        raise DataValidationError(problems, source=str(path))
    wide = wide.copy()
    wide["year"] = wide["year"].astype(str).str.replace(r"\.0+$", "", regex=True)
    wide["geo"] = wide["geo"].astype(str).str.strip()
    unknown = sorted(set(wide["geo"]) - set(_EU))
    if unknown:
        notes.append(f"DESI: unit codes not in the EU-27 list, kept as given: {unknown}")
    for d in DESI_DIMENSIONS:
        wide[d] = wide[d] * 400.0  # pc_desi (weighted contribution, 25% each) -> score 0-100
    obs = wide.rename(columns={"geo": "unit_code", "year": "period"}).melt(
        id_vars=["unit_code", "period", "source"],
        value_vars=list(DESI_DIMENSIONS),
        var_name="indicator",
        value_name="value",
    )
    if not include_aggregate:
        obs = obs[obs["unit_code"] != "EU"]
    obs = obs[obs["value"].notna()].assign(status="observed")[
        ["unit_code", "period", "indicator", "value", "status", "source"]
    ]
    obs = obs.sort_values(["period", "unit_code", "indicator"], kind="stable").reset_index(
        drop=True
    )

    if totals is not None:
        pub = totals.rename(columns={"geo": "unit_code", "year": "period"}).copy()
        pub["period"] = pub["period"].astype(str).str.replace(r"\.0+$", "", regex=True)
        pub["value"] = pub["value"] * 100.0
        pub["name"] = "desi"
        pub["source"] = (
            f"European Commission DESI 2022 ({long_file.name}, indicator=desi_total, unit pc_desi x 100)"
        )
        member = pub["unit_code"] != "EU"
        pub["rank"] = np.nan
        pub.loc[member, "rank"] = (
            pub[member].groupby("period")["value"].rank(ascending=False, method="min")
        )
        pub = (
            pub[["unit_code", "period", "name", "value", "rank", "source"]]
            .sort_values(["period", "unit_code"])
            .reset_index(drop=True)
        )
    else:
        pub = pd.DataFrame(columns=["unit_code", "period", "name", "value", "rank", "source"])
        notes.append(
            "DESI: no DESI.csv beside the dimension scores, so no published totals to check against"
        )
    codes = sorted(set(wide["geo"]) | set(pub["unit_code"]))
    units = pd.DataFrame(
        {
            "unit_code": codes,
            "name_en": [_EU.get(c, (c, None))[0] for c in codes],
            "iso3": [_EU.get(c, (None, None))[1] for c in codes],
            "unit_type": ["aggregate" if c == "EU" else "country" for c in codes],
        }
    )
    notes.append(
        "DESI: the 2022 edition methodology re-computed for 2017-2022; earlier editions' own (different) DESI values are not included"
    )
    return RealData(obs, _to_units_contract(units), pub, tuple(notes), framework="desi2022")


# --------------------------------------------------------------------------- DTI
def _dti_table(path_or_dir) -> tuple[pd.DataFrame, Path]:
    path = Path(path_or_dir) if path_or_dir is not None else config.RAW / "dti"
    if path.is_dir():
        path = path / "dti_provincial.csv"
    df = _read_csv(path)
    need = [
        c
        for c in (
            "year",
            "scope",
            "unit_code",
            "unit_name",
            "metric",
            "value",
            "rank",
            "rank_of",
            "confidence_level",
            "source_url",
        )
        if c not in df.columns
    ]
    if need:
        raise DataValidationError(
            [
                _problem(
                    path,
                    1,
                    None,
                    list(df.columns),
                    f"missing column(s) {need}",
                    "rebuild it with data/raw/dti/build_dti.py",
                )
            ],
            source=str(path),
        )
    problems: list[Problem] = []
    for c in ("value", "value_lo", "value_hi", "rank", "rank_lo", "rank_hi", "rank_of"):
        df[c] = _numeric(df, c, c, path, problems) if c in df.columns else np.nan
    bad = ~df["confidence_level"].isin(list(_CONFIDENCE_ORDER))
    for idx in df.index[bad.to_numpy()]:
        problems.append(
            _problem(
                path,
                int(idx) + 2,
                "confidence_level",
                df.at[idx, "confidence_level"],
                "unknown confidence level",
                f"use one of {list(_CONFIDENCE_ORDER)}",
            )
        )
    if problems:
        raise DataValidationError(problems, source=str(path))
    df["unit_code"] = df["unit_code"].astype(str)
    df["period"] = df["year"].astype(str)
    df["is_derived"] = df.get("is_derived", "false").astype(str).str.lower().eq("true")
    df["_conf"] = df["confidence_level"].map(_CONFIDENCE_ORDER)
    df["_row"] = df.index + 2
    return df, path


def _dti_short_name(name: str) -> str:
    """Display name of a DTI unit: ``TP. Hồ Chí Minh (former)`` -> ``Hồ Chí Minh``.

    >>> _dti_short_name("TP. Hồ Chí Minh (new)"), _dti_short_name("(provincial mean)")
    ('Hồ Chí Minh', 'Trung bình cấp tỉnh')
    """
    name = unicodedata.normalize("NFC", name).strip()
    if name.startswith("(provincial mean)"):
        return "Trung bình cấp tỉnh"
    return re.sub(r"^TP\.\s*", "", re.sub(r"\s*\(.*\)\s*$", "", name))


def _province_coordinates() -> dict[str, tuple[float, float]]:
    """Province centroids (GSO code -> lat, lon) from the ``vietnamadminunits`` package database.

    Pre-2025 provinces under their code, post-2025 provinces under ``NN-2025``.
    """
    import sqlite3

    import vietnamadminunits

    db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(db) as con:
        legacy = con.execute(
            "select distinct provinceCode, provinceLat, provinceLon from admin_units_legacy"
        ).fetchall()
        new = con.execute(
            "select distinct provinceCode, provinceLat, provinceLon from admin_units"
        ).fetchall()
    out = {str(c): (float(la), float(lo)) for c, la, lo in legacy}
    out.update({f"{c}-2025": (float(la), float(lo)) for c, la, lo in new})
    return out


def load_dti(
    path_or_dir: str | Path | None = None,
    *,
    scope: str = "63_provinces",
    min_confidence: str = "low",
) -> RealData:
    """Load the published provincial DTI figures (``data/raw/dti``) in the contracts.

    Args:
        path_or_dir: ``dti_provincial.csv`` or its folder (default ``data/raw/dti``).
        scope: ``63_provinces`` (pre-2025 provinces, the provincial mean ``VN-PMEAN``),
            ``34_provinces`` (post-merger 2024 ranking), ``national`` (``VN``) or ``all``.
        min_confidence: drop figures below this confidence (``high``, ``medium-high``,
            ``medium``, ``low``).

    Returns:
        :class:`RealData`: observations of every published value (``status`` ``estimated`` for a
        value derived by arithmetic from the source text); units ``unit_code, name_vi,
        unit_type, parent_code``; published: one row per unit, year and metric with ``value,
        value_lo, value_hi, rank, rank_lo, rank_hi, rank_of, confidence_level, is_derived,
        source, rank_source`` (best-confidence source for each). ``notes`` lists conflicts and
        what is missing.
    """
    if min_confidence not in _CONFIDENCE_ORDER:
        raise ParameterError(
            f"min_confidence={min_confidence!r}: use one of {list(_CONFIDENCE_ORDER)}"
        )
    scopes = ("63_provinces", "34_provinces", "national", "all")
    if scope not in scopes:
        raise ParameterError(f"scope={scope!r}: use one of {list(scopes)}")
    df, path = _dti_table(path_or_dir)
    if scope != "all":
        df = df[df["scope"] == scope]
    df = df[df["_conf"] <= _CONFIDENCE_ORDER[min_confidence]]
    df = df.sort_values(["_conf", "_row"], kind="stable")
    key = ["unit_code", "period", "metric"]
    notes: list[str] = []

    def _first(col: str) -> pd.Series:
        return df[df[col].notna()].groupby(key)[col].first()

    for col, what in (("value", "value"), ("rank", "rank")):
        spread = df[df[col].notna()].groupby(key)[col].agg(["min", "max", "count"])
        for (u, p, m), _r in spread[(spread["max"] - spread["min"]) > 1e-9].iterrows():
            rows = df[
                (df["unit_code"] == u) & (df["period"] == p) & (df["metric"] == m) & df[col].notna()
            ]
            alts = ", ".join(
                f"{v:g} ({c}, {s})"
                for v, c, s in zip(
                    rows[col], rows["confidence_level"], rows["source_url"], strict=True
                )
            )
            notes.append(
                f"DTI {p} {u} {m}: sources disagree on the {what}: {alts}; the first (highest confidence) is used"
            )
    keys = df.groupby(key).size().index
    pub = pd.DataFrame(index=keys)
    for col in ("value", "value_lo", "value_hi", "rank", "rank_lo", "rank_hi", "rank_of"):
        pub[col] = _first(col)
    best_value = df[df["value"].notna()].groupby(key).first()
    best_any = df.groupby(key).first()
    best_rank = df[df["rank"].notna() | df["rank_lo"].notna()].groupby(key).first()
    pub["unit_name"] = best_any["unit_name"]
    pub["scope"] = best_any["scope"]
    pub["confidence_level"] = (
        best_value["confidence_level"].reindex(keys).fillna(best_any["confidence_level"])
    )
    pub["is_derived"] = (
        best_value["is_derived"].reindex(keys).fillna(best_any["is_derived"]).astype(bool)
    )
    pub["source"] = best_value["source_url"].reindex(keys).fillna(best_any["source_url"])
    pub["rank_source"] = best_rank["source_url"].reindex(keys)
    pub = pub.reset_index().rename(columns={"metric": "name"})
    pub = pub[
        [
            "unit_code",
            "period",
            "name",
            "value",
            "rank",
            "source",
            "unit_name",
            "scope",
            "value_lo",
            "value_hi",
            "rank_lo",
            "rank_hi",
            "rank_of",
            "confidence_level",
            "is_derived",
            "rank_source",
        ]
    ]
    pub = pub.sort_values(["period", "unit_code", "name"], kind="stable").reset_index(drop=True)

    vals = pub[pub["value"].notna()]
    obs = pd.DataFrame(
        {
            "unit_code": vals["unit_code"].astype(str),
            "period": vals["period"].astype(str),
            "indicator": vals["name"],
            "value": vals["value"].astype(float),
            "status": np.where(vals["is_derived"], "estimated", "observed"),
            "source": vals["source"],
        }
    ).reset_index(drop=True)

    u = df.sort_values(["period"], ascending=False, kind="stable").drop_duplicates("unit_code")
    unit_type = np.select(
        [
            u["unit_code"] == "VN",
            u["unit_code"] == "VN-PMEAN",
            u["unit_code"].str.endswith("-2025"),
        ],
        ["country", "mean", "province_2025"],
        "province",
    )
    units = (
        pd.DataFrame(
            {
                "unit_code": u["unit_code"],
                "name_vi": u["unit_name"].map(_dti_short_name),
                "unit_type": unit_type,
                "parent_code": np.where(u["unit_code"] == "VN", "", "VN"),
            }
        )
        .sort_values("unit_code")
        .reset_index(drop=True)
    )

    coords = _province_coordinates()
    units["lat"] = units["unit_code"].map(lambda c: coords.get(c, (np.nan, np.nan))[0])
    units["lon"] = units["unit_code"].map(lambda c: coords.get(c, (np.nan, np.nan))[1])

    # what is missing, plainly
    for p, g in pub.groupby("period"):
        provinces = g[~g["unit_code"].isin(["VN", "VN-PMEAN"])]
        n_val = provinces.loc[provinces["name"] == "dti", "value"].notna().sum()
        n_rank = provinces.loc[provinces["name"] == "dti", "rank"].notna().sum()
        pil = provinces[provinces["name"].isin(["cqs", "kts", "xhs"])]
        n_pil = pil.loc[pil["value"].notna(), "unit_code"].nunique()
        n_pil_rank = pil.loc[pil["rank"].notna(), "unit_code"].nunique()
        means = sorted(g.loc[(g["unit_code"] == "VN-PMEAN") & g["value"].notna(), "name"])
        notes.append(
            f"DTI {p}: overall value published for {n_val} province(s), overall rank for {n_rank}; "
            f"pillar values for {n_pil}, pillar ranks for {n_pil_rank}; provincial means published: {means or 'none'}"
        )
    return RealData(obs, _to_units_contract(units), pub, tuple(notes), framework="dti_provincial")


def load_dti_pillars(
    path_or_dir: str | Path | None = None,
    *,
    scope: str = "63_provinces",
    min_confidence: str = "low",
) -> pd.DataFrame:
    """Published DTI pillar values as a pillar table (one row per unit and year).

    ``government`` = CQS (chính quyền số), ``economy`` = KTS (kinh tế số), ``society`` = XHS
    (xã hội số), ``index`` = the overall DTI, as published (not recomputed: since 2021 the DTI
    is the sum of the main indices, not of the pillars). Extra columns: ``rank_government,
    rank_economy, rank_society, rank_index, rank_of``. Only units with at least one published
    pillar value or rank are returned.

    Returns:
        DataFrame ``unit_code, period, government, economy, society, index, status`` + ranks.
    """
    pub = load_dti(path_or_dir, scope=scope, min_confidence=min_confidence).published
    pub = pub[pub["name"].isin(list(_DTI_PILLAR_METRICS))].copy()
    pub["pillar"] = pub["name"].map(_DTI_PILLAR_METRICS)
    val = pub.pivot_table(
        index=["unit_code", "period"], columns="pillar", values="value", aggfunc="first"
    )
    rnk = pub.pivot_table(
        index=["unit_code", "period"], columns="pillar", values="rank", aggfunc="first"
    ).add_prefix("rank_")
    rank_of = pub.groupby(["unit_code", "period"])["rank_of"].max()
    derived = pub.groupby(["unit_code", "period"])["is_derived"].any()
    out = pd.concat([val, rnk], axis=1)
    for c in (
        "government",
        "economy",
        "society",
        "index",
        "rank_government",
        "rank_economy",
        "rank_society",
        "rank_index",
    ):
        if c not in out:
            out[c] = np.nan
    out["rank_of"] = rank_of
    out["status"] = np.where(derived.reindex(out.index).fillna(False), "estimated", "observed")
    has_pillar = (
        out[["government", "economy", "society", "rank_government", "rank_economy", "rank_society"]]
        .notna()
        .any(axis=1)
    )
    out = out[has_pillar].reset_index()
    out.columns.name = None
    cols = [
        "unit_code",
        "period",
        "government",
        "economy",
        "society",
        "index",
        "status",
        "rank_government",
        "rank_economy",
        "rank_society",
        "rank_index",
        "rank_of",
    ]
    return out[cols].sort_values(["period", "unit_code"]).reset_index(drop=True)


def load_dti_districts(path: str | Path | None = None) -> pd.DataFrame:
    """Quảng Nam's 2023 district DTI (internal provincial assessment): order, class, two scores.

    Returns:
        DataFrame ``year, unit_code, unit_name, parent_code, metric, value, rank, rank_of,
        class_vi, confidence, source_url, source_doc_date, source_note, source_file``; ``value``
        (percent) is published only for the first and the last district.
    """
    path = Path(path) if path is not None else config.RAW / "dti" / "quangnam_district_dti_2023.csv"
    df = _read_csv(path)
    problems: list[Problem] = []
    for c in ("value", "rank", "rank_of"):
        df[c] = _numeric(df, c, c, path, problems)
    if problems:
        raise DataValidationError(problems, source=str(path))
    df["unit_code"] = df["unit_code"].astype(str)
    return df


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """National and Quảng Nam digital-transformation targets (``data/raw/targets/targets.csv``).

    Returns:
        DataFrame, one row per document, indicator and target year: ``document_id, document,
        scope, row_kind, pillar, pillar_vi, indicator_vi, target_year, as_published, target_op,
        target_value, target_unit, confidence, source_url, source_note``. ``target_value`` is
        numeric where the text states a firm number, else NaN (the text stays in ``as_published``).
    """
    path = Path(path) if path is not None else config.RAW / "targets" / "targets.csv"
    df = _read_csv(path)
    problems: list[Problem] = []
    df["target_value"] = _numeric(df, "target_value", "target_value", path, problems)
    if problems:
        raise DataValidationError(problems, source=str(path))
    return df


# --------------------------------------------------------------------------- dispatcher
_LOADERS = {"egdi": "load_egdi", "desi": "load_desi", "dti": "load_dti"}


def load_real_data(source: str, path_or_dir: str | Path | None = None, **kwargs) -> RealData:
    """Load one real data source by name, for notebooks and editions that take it as a parameter.

    Args:
        source: ``egdi`` (:func:`load_egdi`), ``desi`` (:func:`load_desi`) or ``dti``
            (:func:`load_dti`).
        path_or_dir: file or folder (default: the loader's default).
        **kwargs: passed to the loader (``years``, ``include_aggregate``, ``scope``...).

    Raises:
        ParameterError: unknown source.
    """
    if source not in _LOADERS:
        raise ParameterError(f"source={source!r}: use one of {sorted(_LOADERS)}")
    return globals()[_LOADERS[source]](path_or_dir, **kwargs)


def detect_source(path: str | Path) -> str | None:
    """Which real source a file or folder holds: ``egdi``, ``desi``, ``dti`` or None.

    Recognised by name: ``egdi*.csv`` / ``EGOV*.csv`` (UN E-Government Survey),
    ``desi_dimension_scores*.csv`` / ``DESI.csv`` (EU DESI), ``dti_provincial*.csv`` (provincial
    DTI); a folder by the files it holds. Anything else (e.g. a tidy observations file) is None.

    >>> detect_source("x/EGOV_DATA_2024.csv"), detect_source("DESI.csv"), detect_source("obs.csv")
    ('egdi', 'desi', None)
    """
    p = Path(path)
    names = [q.name for q in p.iterdir()] if p.is_dir() else [p.name]
    for name in names:
        if re.match(r"(?i)(egdi|egov).*\.csv$", name):
            return "egdi"
        if re.match(r"(?i)(desi_dimension_scores.*|desi)\.csv$", name):
            return "desi"
        if re.match(r"(?i)dti_provincial.*\.csv$", name):
            return "dti"
    return None


def load_real_inputs(path: str | Path, framework=None, **kwargs) -> tuple[RealData, object]:
    """Real data for the notebooks: a source folder/file -> (RealData, Framework).

    The source is found by :func:`detect_source`; the framework is ``framework`` (a
    :class:`~analysis.frameworks.Framework`, a YAML path, or empty/None for the source's own:
    ``egdi.yaml``, ``desi2022.yaml``, ``dti_pillars.yaml`` for the DTI, whose published pillar
    values are what the gap notebooks compare). Observations are restricted to the framework's
    indicators, so they pass :func:`analysis.schema.validate_observations` with ``units``.

    Raises:
        ParameterError: the path is not a known real source.
    """
    from .frameworks import Framework, load_framework

    source = detect_source(path)
    if source is None:
        raise ParameterError(
            f"{path}: not a known real-data source (egdi*.csv/EGOV*.csv, DESI.csv/desi_dimension_scores*.csv, dti_provincial.csv)"
        )
    data = load_real_data(source, path, **kwargs)
    if framework is None or str(framework) == "":
        fw = load_framework(
            config.FRAMEWORKS
            / ("dti_pillars.yaml" if source == "dti" else f"{data.framework}.yaml")
        )
    else:
        fw = framework if isinstance(framework, Framework) else load_framework(framework)
    obs = data.observations[data.observations["indicator"].isin(fw.indicator_ids)].reset_index(
        drop=True
    )
    units = data.units[data.units["unit_code"].isin(set(obs["unit_code"]))].reset_index(drop=True)
    return RealData(obs, units, data.published, data.notes, framework=fw.id), fw


# --------------------------------------------------------------------------- presets
def _framework_preset(name: str, description: str):
    """Builder of a composite preset from ``data/frameworks/<name>.yaml`` (goalposts, arithmetic)."""

    def build():
        from .composite import Preset
        from .composite.pipeline import framework_imeta
        from .frameworks import load_framework

        fw = load_framework(config.FRAMEWORKS / f"{name}.yaml")
        return Preset(
            name=name,
            imeta=framework_imeta(fw),
            options={
                "normalise": "goalposts",
                "normalise_params": {"scale": 1.0},
                "aggregate": "arithmetic",
                "weights": "framework",
            },
            description=description,
            framework=fw,
        )

    return build


def _register_presets() -> None:
    from .composite import register_preset

    register_preset(
        "egdi",
        _framework_preset(
            "egdi",
            "UN EGDI: OSI (government), HCI + TII (society); goalposts [0, 1], arithmetic; index = (OSI + HCI + TII)/3 = EGDI",
        ),
    )
    register_preset(
        "desi2022",
        _framework_preset(
            "desi2022",
            "EU DESI 2022: DPS (government), IDT (economy), HC + CONN (society), 25% each; goalposts [0, 100] -> [0, 1]; index = DESI/100",
        ),
    )
    register_preset(
        "dti_provincial",
        _framework_preset(
            "dti_provincial",
            "Provincial DTI (Decision 922/QĐ-BTTTT): 8 main indices, point budgets; index = PDTI",
        ),
    )
    register_preset(
        "dti_pillars",
        _framework_preset(
            "dti_pillars",
            "Published DTI pillar values CQS/KTS/XHS as one-indicator pillars (for the gap notebooks); index = mean of pillars, not the DTI",
        ),
    )


_register_presets()
