"""Split a resume into its sections by recognising headings."""

from __future__ import annotations

import re

from .dates import find_span
from .lines import Line

HEADINGS = {
    "summary": (
        "summary",
        "professional summary",
        "profile",
        "professional profile",
        "about me",
        "about",
        "objective",
        "career objective",
        "personal statement",
        "resumen",
        "profil",
        "perfil",
        "zusammenfassung",
        "à propos",
        "kurzprofil",
        "career summary",
    ),
    "experience": (
        "experience",
        "work experience",
        "professional experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "relevant experience",
        "experiencia",
        "experiencia profesional",
        "expérience",
        "expérience professionnelle",
        "berufserfahrung",
        "berufliche erfahrung",
        "esperienza",
        "esperienza professionale",
        "experiência",
        "experiência profissional",
        "werkervaring",
        "doświadczenie",
        "career",
        "employment",
        "professional background",
        "work",
        "positions held",
        "experiencia laboral",
        "experiencia profesional",
        "trayectoria profesional",
        "parcours professionnel",
        "parcours",
        "expériences professionnelles",
        "expériences",
        "beruflicher werdegang",
        "werdegang",
        "praxiserfahrung",
        "esperienza lavorativa",
        "esperienze professionali",
        "esperienze lavorative",
        "experiência profissional",
        "histórico profissional",
        "doświadczenie zawodowe",
        "przebieg kariery",
        "historia zatrudnienia",
        "arbetslivserfarenhet",
        "erhvervserfaring",
        "arbeidserfaring",
        "työkokemus",
        "corporate experience",
        "industry experience",
        "professional history",
        "employment experience",
        "history and highlights",
        "career highlights",
        "bildung und berufliche laufbahn",
        "berufliche laufbahn",
        "beruflicher werdegang und ausbildung",
        "experiência profissional e acadêmica",
    ),
    "education": (
        "education",
        "academic background",
        "education and training",
        "qualifications",
        "educación",
        "formación",
        "formación académica",
        "formation",
        "ausbildung",
        "bildung",
        "istruzione",
        "formação",
        "formação acadêmica",
        "opleiding",
        "wykształcenie",
        "studies",
        "education & training",
        "education and certifications",
        "education & certifications",
        "academic qualifications",
        "academic history",
        "diplômes",
        "diplômes et formations",
        "formation académique",
        "estudios",
        "formación académica",
        "estudios realizados",
        "istruzione e formazione",
        "titoli di studio",
        "formação académica",
        "formação acadêmica",
        "escolaridade",
        "ausbildung und studium",
        "studium",
        "akademischer werdegang",
        "wykształcenie i kursy",
        "edukacja",
        "utbildning",
        "uddannelse",
        "utdanning",
        "koulutus",
    ),
    "skills": (
        "skills",
        "technical skills",
        "core skills",
        "key skills",
        "core competencies",
        "competencies",
        "expertise",
        "technologies",
        "tools",
        "skills & tools",
        "skills and tools",
        "tech stack",
        "habilidades",
        "compétences",
        "kenntnisse",
        "fähigkeiten",
        "competenze",
        "competências",
        "vaardigheden",
        "umiejętności",
        "conocimientos",
        "aptitudes",
        "competenze",
        "competenze tecniche",
        "conhecimentos",
        "compétences techniques",
        "outils",
        "herramientas",
        "ferramentas",
        "kenntnisse und fähigkeiten",
        "it-kenntnisse",
        "kompetenzen",
        "kompetencje",
        "skills and competencies",
        "technical expertise",
        "færdigheder",
        "kompetenser",
    ),
    "contact": (
        "contact",
        "contact details",
        "contact information",
        "kontakt",
        "contacto",
        "coordonnées",
        "personal details",
        "personal information",
        "details",
        "contato",
        "contatti",
        "kontakty",
        "dados pessoais",
        "datos personales",
        "persönliche daten",
        "informations personnelles",
    ),
    "other": (
        "projects",
        "certifications",
        "certificates",
        "languages",
        "interests",
        "hobbies",
        "references",
        "publications",
        "awards",
        "volunteering",
        "volunteer experience",
        "achievements",
        "courses",
        "idiomas",
        "langues",
        "sprachen",
        "honors",
        "activities",
        "additional information",
        "training",
        "patents",
        "talks",
        "portfolio",
    ),
}
_LOOKUP = {phrase: name for name, phrases in HEADINGS.items() for phrase in phrases}
HEADING_PHRASES = frozenset(_LOOKUP)
HEADING_TAILS = frozenset(
    " ".join(words[start:]) for words in map(str.split, _LOOKUP) for start in range(1, len(words) - 1)
)  # "and awards", "professional experience": what a heading wrapped onto two lines leaves alone
_NON_LETTERS = re.compile(r"[^\w&' ]+")


def heading_of(line: Line) -> tuple[str, str] | None:
    """(section, rest of line) when the line starts a section, else None."""
    if line.bullet:
        return None
    text = line.text
    head, colon, rest = text.partition(":")
    for candidate, remainder in ((text, ""), (head, rest) if colon else (None, "")):
        if candidate is None:
            continue
        key = " ".join(_NON_LETTERS.sub(" ", candidate).lower().split())
        if key in _LOOKUP and len(key.split()) <= 4:
            return _LOOKUP[key], remainder.strip()
    return None


def split_sections(lines: list[Line]) -> dict[str, list[Line]]:
    """Lines before the first heading go to "top"; repeated sections are joined."""
    sections: dict[str, list[Line]] = {"top": []}
    current = "top"
    for line in lines:
        found = heading_of(line)
        if found and found[1] and (current == "skills" or find_span(found[1])):
            found = None  # "Languages: Python, Go" in Skills, "Studium: Physik 2016-2020": entries
        if found:
            current, rest = found
            sections.setdefault(current, [])
            if rest:
                sections[current].append(Line(rest))
            continue
        sections[current].append(line)
    return sections
