"""Just enough geography to recognise a location line and a phone's country."""
from __future__ import annotations

import re

COUNTRIES = {
    "united states": "US", "usa": "US", "u.s.a.": "US", "us": "US", "united kingdom": "GB", "uk": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "ireland": "IE", "germany": "DE", "deutschland": "DE",
    "france": "FR", "spain": "ES", "españa": "ES", "portugal": "PT", "italy": "IT", "italia": "IT",
    "netherlands": "NL", "the netherlands": "NL", "nederland": "NL", "belgium": "BE", "belgique": "BE",
    "switzerland": "CH", "schweiz": "CH", "suisse": "CH", "austria": "AT", "österreich": "AT",
    "poland": "PL", "polska": "PL", "sweden": "SE", "sverige": "SE", "norway": "NO", "norge": "NO",
    "denmark": "DK", "danmark": "DK", "finland": "FI", "suomi": "FI", "czech republic": "CZ", "czechia": "CZ",
    "greece": "GR", "romania": "RO", "hungary": "HU", "turkey": "TR", "türkiye": "TR", "canada": "CA",
    "mexico": "MX", "méxico": "MX", "brazil": "BR", "brasil": "BR", "argentina": "AR", "chile": "CL",
    "colombia": "CO", "peru": "PE", "perú": "PE", "india": "IN", "china": "CN", "japan": "JP",
    "south korea": "KR", "korea": "KR", "singapore": "SG", "australia": "AU", "new zealand": "NZ",
    "south africa": "ZA", "nigeria": "NG", "kenya": "KE", "egypt": "EG", "israel": "IL",
    "united arab emirates": "AE", "uae": "AE", "vietnam": "VN", "viet nam": "VN", "philippines": "PH",
    "indonesia": "ID", "malaysia": "MY", "thailand": "TH", "pakistan": "PK", "ukraine": "UA",
}
CITIES = {
    "london": "GB", "manchester": "GB", "edinburgh": "GB", "dublin": "IE", "berlin": "DE", "munich": "DE",
    "münchen": "DE", "hamburg": "DE", "cologne": "DE", "köln": "DE", "frankfurt": "DE", "paris": "FR",
    "lyon": "FR", "marseille": "FR", "toulouse": "FR", "madrid": "ES", "barcelona": "ES", "valencia": "ES",
    "sevilla": "ES", "lisbon": "PT", "lisboa": "PT", "porto": "PT", "rome": "IT", "roma": "IT", "milan": "IT",
    "milano": "IT", "amsterdam": "NL", "rotterdam": "NL", "brussels": "BE", "zurich": "CH", "zürich": "CH",
    "geneva": "CH", "vienna": "AT", "wien": "AT", "warsaw": "PL", "warszawa": "PL", "kraków": "PL",
    "stockholm": "SE", "oslo": "NO", "copenhagen": "DK", "helsinki": "FI", "prague": "CZ", "athens": "GR",
    "toronto": "CA", "vancouver": "CA", "montreal": "CA", "montréal": "CA", "mexico city": "MX",
    "são paulo": "BR", "sao paulo": "BR", "rio de janeiro": "BR", "buenos aires": "AR", "santiago": "CL",
    "bogotá": "CO", "bangalore": "IN", "bengaluru": "IN", "mumbai": "IN", "delhi": "IN", "new delhi": "IN",
    "hyderabad": "IN", "tokyo": "JP", "seoul": "KR", "sydney": "AU", "melbourne": "AU", "auckland": "NZ",
    "cape town": "ZA", "johannesburg": "ZA", "lagos": "NG", "nairobi": "KE", "tel aviv": "IL", "dubai": "AE",
    "new york": "US", "san francisco": "US", "seattle": "US", "austin": "US", "boston": "US", "chicago": "US",
    "los angeles": "US", "denver": "US", "atlanta": "US", "hanoi": "VN", "ho chi minh city": "VN",
    "manila": "PH", "jakarta": "ID", "kuala lumpur": "MY", "bangkok": "TH", "kyiv": "UA", "karachi": "PK",
}
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split()
)
CA_PROVINCES = frozenset("ON QC BC AB MB SK NS NB NL PE".split())
EMAIL_TLDS = {
    "de": "DE", "fr": "FR", "es": "ES", "it": "IT", "nl": "NL", "pl": "PL", "pt": "PT", "br": "BR", "in": "IN",
    "au": "AU", "ca": "CA", "uk": "GB", "ie": "IE", "se": "SE", "no": "NO", "dk": "DK", "fi": "FI", "ch": "CH",
    "at": "AT", "be": "BE", "mx": "MX", "jp": "JP", "za": "ZA", "nz": "NZ", "sg": "SG", "ar": "AR", "cz": "CZ",
}
_PLACE = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w .'\-]{1,40}(?:,\s*[A-ZÀ-ÖØ-Þ][\w .'\-]{1,30}){1,2}$")


def region_of_place(text: str) -> str | None:
    """Region code for "City, Country", "City, ST" or a bare known city/country."""
    parts = [part.strip(" .").lower() for part in text.split(",")]
    for part in reversed(parts):
        if part in COUNTRIES:
            return COUNTRIES[part]
        if part.upper() in US_STATES and len(part) == 2:
            return "US"
        if part.upper() in CA_PROVINCES and len(part) == 2:
            return "CA"
        if part in CITIES:
            return CITIES[part]
    return None


def looks_like_place(text: str) -> bool:
    """True for "Lyon, France", "Austin, TX", "Berlin" - a location piece, not a company."""
    text = text.strip(" ()")
    if len(text) > 60 or any(ch.isdigit() for ch in text):
        return False
    if text.lower() in ("remote", "hybrid", "on-site"):
        return True
    if region_of_place(text) is None:
        return False
    return bool(_PLACE.match(text)) or text.lower() in CITIES or text.lower() in COUNTRIES
