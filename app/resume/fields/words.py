"""Vocabulary that tells a job title from a company name."""

from __future__ import annotations

import re

TITLE_WORDS = frozenset(
    """
engineer developer manager designer analyst consultant intern lead director scientist specialist
coordinator assistant officer architect administrator teacher nurse accountant associate head vp
president founder co-founder cofounder cto ceo cfo coo researcher programmer technician representative
executive supervisor editor writer marketer recruiter advisor strategist owner partner trainee apprentice
tester qa devops sre professor lecturer fellow auditor economist lawyer attorney paralegal pharmacist
physician chef clerk agent operator mechanic electrician planner buyer controller copywriter
photographer producer principal staff senior junior sr jr chief member tutor instructor therapist
ingenieur ingenieurin entwickler entwicklerin leiter leiterin berater beraterin ingénieur ingénieure
développeur développeuse responsable chef ingeniero ingeniera desarrollador desarrolladora gerente jefe
jefa analista consultor consultora desenvolvedor desenvolvedora sviluppatore sviluppatrice direttore
programista kierownik projektant projektantka architekt werkstudent stagiaire becario praktikant
""".split()
)
COMPANY_WORDS = frozenset(
    """
inc inc. llc ltd ltd. limited gmbh ag sa s.a. sas sarl s.l. sl bv b.v. nv plc corp corp. corporation co.
company group technologies technology labs systems solutions software studio studios partners bank
consulting ventures holdings media agency foundation s.p.a. spa pty oy ab a/s kg industries
networks analytics logistics energy pharma games capital insurance hospital clinic
lda lda. ltda ltda. s.r.l. srl sp. s.c. kft zrt as a/s asa aps
""".split()
)
_OF = frozenset({"of", "de", "di", "da", "do", "du", "des", "der", "für", "for"})
_WORD = re.compile(r"[\w./&-]+")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def is_title(text: str) -> bool:
    return title_score(text) > 0


def is_company(text: str) -> bool:
    return company_score(text) > 0


def title_score(text: str) -> int:
    """2 when a title word ends the phrase ("Software Engineer") or opens "Head of ..."."""
    found = words(text)
    if not found:
        return 0
    if found[-1] in TITLE_WORDS or (found[0] in TITLE_WORDS and _OF & set(found)):
        return 2
    return 1 if any(word in TITLE_WORDS for word in found) else 0


def company_score(text: str) -> int:
    """2 when a company word ends the phrase ("Acme Software", "Nordwind GmbH")."""
    found = words(text)
    if not found:
        return 0
    if found[-1] in COMPANY_WORDS:
        return 2
    return 1 if any(word in COMPANY_WORDS for word in found) else 0
