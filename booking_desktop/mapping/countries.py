"""Country names -> ISO 3166-1 alpha-2 (``Indonesia`` -> ``ID``, ``South Korea`` -> ``KR``).

Some channels write the guest's nationality or country as a name.  The schema stores
codes; the profile option ``country_names: true`` reads names (and codes) through
pycountry, once per distinct value.  A name pycountry does not know is left as written,
so validation reports it as an unknown country instead of it being guessed.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

# names vendors write that pycountry's lookup does not resolve to one country
COMMON_NAMES = {
    "south korea": "KR",
    "korea": "KR",
    "north korea": "KP",
    "russia": "RU",
    "vietnam": "VN",
    "taiwan": "TW",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "macau": "MO",
    "hong kong sar": "HK",
    "czech republic": "CZ",
    "turkey": "TR",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "united states of america": "US",
    "ivory coast": "CI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "burma": "MM",
    "the netherlands": "NL",
    "holland": "NL",
}


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    import pycountry

    key = " ".join(name.split()).casefold()
    if key in COMMON_NAMES:
        return COMMON_NAMES[key]
    try:
        return str(pycountry.countries.lookup(name.strip()).alpha_2)
    except LookupError:
        return None


def names_to_codes(s: pd.Series) -> pd.Series:
    """Each distinct value looked up once; unknown values kept as written."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    looked = np.array([country_code(str(u)) or str(u) for u in uniques] + [None], dtype=object)
    return pd.Series(looked[np.where(codes >= 0, codes, len(looked) - 1)], index=s.index, dtype="str")
