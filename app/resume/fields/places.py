"""Just enough geography to recognise a location line and a phone's country."""

from __future__ import annotations

import re

COUNTRIES = {
    "united states": "US",
    "usa": "US",
    "u.s.a.": "US",
    "us": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "ireland": "IE",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "spain": "ES",
    "españa": "ES",
    "portugal": "PT",
    "italy": "IT",
    "italia": "IT",
    "netherlands": "NL",
    "the netherlands": "NL",
    "nederland": "NL",
    "belgium": "BE",
    "belgique": "BE",
    "switzerland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "austria": "AT",
    "österreich": "AT",
    "poland": "PL",
    "polska": "PL",
    "sweden": "SE",
    "sverige": "SE",
    "norway": "NO",
    "norge": "NO",
    "denmark": "DK",
    "danmark": "DK",
    "finland": "FI",
    "suomi": "FI",
    "czech republic": "CZ",
    "czechia": "CZ",
    "greece": "GR",
    "romania": "RO",
    "hungary": "HU",
    "turkey": "TR",
    "türkiye": "TR",
    "canada": "CA",
    "mexico": "MX",
    "méxico": "MX",
    "brazil": "BR",
    "brasil": "BR",
    "argentina": "AR",
    "chile": "CL",
    "colombia": "CO",
    "peru": "PE",
    "perú": "PE",
    "india": "IN",
    "china": "CN",
    "japan": "JP",
    "south korea": "KR",
    "korea": "KR",
    "singapore": "SG",
    "australia": "AU",
    "new zealand": "NZ",
    "south africa": "ZA",
    "nigeria": "NG",
    "kenya": "KE",
    "egypt": "EG",
    "israel": "IL",
    "united arab emirates": "AE",
    "uae": "AE",
    "vietnam": "VN",
    "viet nam": "VN",
    "philippines": "PH",
    "indonesia": "ID",
    "malaysia": "MY",
    "thailand": "TH",
    "pakistan": "PK",
    "ukraine": "UA",
    "hong kong": "HK",
    "luxembourg": "LU",
    "tunisia": "TN",
    "tunisie": "TN",
    "morocco": "MA",
    "maroc": "MA",
}
CITIES = {
    "london": "GB",
    "manchester": "GB",
    "edinburgh": "GB",
    "dublin": "IE",
    "berlin": "DE",
    "munich": "DE",
    "münchen": "DE",
    "hamburg": "DE",
    "cologne": "DE",
    "köln": "DE",
    "frankfurt": "DE",
    "paris": "FR",
    "lyon": "FR",
    "marseille": "FR",
    "toulouse": "FR",
    "madrid": "ES",
    "barcelona": "ES",
    "valencia": "ES",
    "sevilla": "ES",
    "lisbon": "PT",
    "lisboa": "PT",
    "porto": "PT",
    "rome": "IT",
    "roma": "IT",
    "milan": "IT",
    "milano": "IT",
    "amsterdam": "NL",
    "rotterdam": "NL",
    "brussels": "BE",
    "zurich": "CH",
    "zürich": "CH",
    "geneva": "CH",
    "vienna": "AT",
    "wien": "AT",
    "warsaw": "PL",
    "warszawa": "PL",
    "kraków": "PL",
    "stockholm": "SE",
    "oslo": "NO",
    "copenhagen": "DK",
    "helsinki": "FI",
    "prague": "CZ",
    "athens": "GR",
    "toronto": "CA",
    "vancouver": "CA",
    "montreal": "CA",
    "montréal": "CA",
    "mexico city": "MX",
    "são paulo": "BR",
    "sao paulo": "BR",
    "rio de janeiro": "BR",
    "buenos aires": "AR",
    "santiago": "CL",
    "bogotá": "CO",
    "bangalore": "IN",
    "bengaluru": "IN",
    "mumbai": "IN",
    "delhi": "IN",
    "new delhi": "IN",
    "hyderabad": "IN",
    "tokyo": "JP",
    "seoul": "KR",
    "sydney": "AU",
    "melbourne": "AU",
    "auckland": "NZ",
    "cape town": "ZA",
    "johannesburg": "ZA",
    "lagos": "NG",
    "nairobi": "KE",
    "tel aviv": "IL",
    "dubai": "AE",
    "new york": "US",
    "san francisco": "US",
    "seattle": "US",
    "austin": "US",
    "boston": "US",
    "chicago": "US",
    "los angeles": "US",
    "denver": "US",
    "atlanta": "US",
    "hanoi": "VN",
    "ho chi minh city": "VN",
    "manila": "PH",
    "jakarta": "ID",
    "kuala lumpur": "MY",
    "bangkok": "TH",
    "kyiv": "UA",
    "karachi": "PK",
    "singapore": "SG",
    "hong kong": "HK",
    "kowloon": "HK",
    "shanghai": "CN",
    "beijing": "CN",
    "shenzhen": "CN",
    "luxembourg": "LU",
    "chennai": "IN",
    "pune": "IN",
    "noida": "IN",
    "kolkata": "IN",
    "gurgaon": "IN",
    "torino": "IT",
    "turin": "IT",
    "napoli": "IT",
    "bologna": "IT",
    "firenze": "IT",
    "padova": "IT",
}
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split()
)
CA_PROVINCES = frozenset("ON QC BC AB MB SK NS NB NL PE".split())
BR_STATES = frozenset("AC AP AM BA CE DF ES GO MT MS MG PB PE PI RJ RN RS RO RR SP SE TO".split())
EMAIL_TLDS = {
    "de": "DE",
    "fr": "FR",
    "es": "ES",
    "it": "IT",
    "nl": "NL",
    "pl": "PL",
    "pt": "PT",
    "br": "BR",
    "in": "IN",
    "au": "AU",
    "ca": "CA",
    "uk": "GB",
    "ie": "IE",
    "se": "SE",
    "no": "NO",
    "dk": "DK",
    "fi": "FI",
    "ch": "CH",
    "at": "AT",
    "be": "BE",
    "mx": "MX",
    "jp": "JP",
    "za": "ZA",
    "nz": "NZ",
    "sg": "SG",
    "ar": "AR",
    "cz": "CZ",
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
        if part.upper() in BR_STATES and len(part) == 2:
            return "BR"
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


_US_ADDRESS = re.compile(
    r"(?<![\w-])(?P<city>[A-Z][A-Za-z.'\-]*(?: [A-Z][A-Za-z.'\-]*){0,3}),?\s+"
    r"(?P<region>[A-Z]{2})\.?,?\s+\d{5}(?:-\d{4})?\b"
)
_CA_ADDRESS = re.compile(
    r"(?P<city>[A-Z][\w'\-]+(?: [A-Z][\w'\-]+)?)\s*(?:\((?P<region>[^()]{2,20})\))?,?\s+"
    r"[A-Z]\d[A-Z] ?\d[A-Z]\d\b"
)
_UK_ADDRESS = re.compile(r"(?P<city>[A-Z][a-z]+(?: [A-Z][a-z]+)?),?\s+[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")
_POSTCODE_FIRST = re.compile(
    r"(?<![\w.-])(?:[A-Z]{1,2}-)?(?P<code>\d{4,5}),?\s+"
    r"(?P<city>[^\W\d_][^\W\d_'\-]*(?:[ -][A-ZÀ-Þ][^\W\d_'\-]*){0,2})"
)
_CODE_AFTER = re.compile(r"(?P<city>[A-Z][a-z]+(?: [A-Z][a-z]+)?),?\s+\d{6}\b")
_PROVINCE = re.compile(r"(?P<city>[A-Z][\w'\-]+(?: [A-Z][\w'\-]+)?)\s*\([A-Z]{2}\)")


_STREET = re.compile(
    r"\b(street|st|road|rd|drive|dr|avenue|ave|circle|lane|ln|blvd|boulevard|way|court|ct|place|pl|"
    r"straße|strasse|str|weg|rue|via|calle|avenida|rua|floor|flat|unit|apt|suite)\b\.?",
    re.I,
)


def city_of_address(text: str, *, postcode_first: bool = True) -> str | None:
    """The city of a postal address, as "City, ST" or "City": "Saint Paul, MN 55105",
    "Montreal (Quebec) H1V 2E6", "London SW8 1UQ", "12044 Centallo", "Singapore 466665",
    "Thiene (VI)". Years are not postcodes, so "2019 Berlin" is no address."""
    found = _US_ADDRESS.search(text)
    if found and (found["region"] in US_STATES or found["region"] in CA_PROVINCES):
        return f"{found['city']}, {found['region']}"
    for pattern in (_CA_ADDRESS, _UK_ADDRESS, _CODE_AFTER, _PROVINCE):
        found = pattern.search(text)
        if found:
            return found["city"]
    for found in _POSTCODE_FIRST.finditer(text) if postcode_first else ():
        city = found["city"]
        if 1900 <= int(found["code"]) <= 2099 or len(city) < 3 or not city[0].isupper():
            continue  # a year, or a house number before a street ("2642 Heritage Park Circle")
        if not _STREET.search(city) and not _STREET.search(text[found.end() : found.end() + 12]):
            return city
    return None
