"""schema.org JobPosting for a job page, so search engines can list the opening."""

from __future__ import annotations

from typing import Any

from app.hosts import public_url
from app.job_display import SALARY_PERIOD
from app.models import Job


def job_posting(job: Job, description_html: str, company: str, company_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": description_html or job.title,
        "identifier": {"@type": "PropertyValue", "name": company, "value": str(job.id)},
        "datePosted": max(job.date_posted, job.opens_at or job.date_posted).date().isoformat(),
        "employmentType": job.employment_type or "FULL_TIME",
        "hiringOrganization": {"@type": "Organization", "name": company, "sameAs": company_url},
        "directApply": True,
        "url": public_url("careers.job", job_id=job.id),
    }
    if job.language:  # the posting's own language; otherwise it is the site's
        data["inLanguage"] = job.language
    if job.valid_through:
        data["validThrough"] = job.valid_through.isoformat(timespec="seconds") + "+00:00"
    if job.location:
        data["jobLocation"] = {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": job.location.split(",")[0].strip(),
                **({"addressCountry": job.country} if job.country else {}),
            },
        }
    if job.remote:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": job.country or "Worldwide"}
    if job.salary_min and job.salary_currency:
        value = {"@type": "QuantitativeValue", "minValue": job.salary_min, "unitText": SALARY_PERIOD}
        if job.salary_max:
            value["maxValue"] = job.salary_max
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": job.salary_currency, "value": value}
    return data
