"""Save and finish later: an unfinished application kept as a draft, reopened by a magic link.

`links` makes and hashes the link's secret, `store` keeps drafts and their files (and is what
intake calls when an application is sent), `web` is the candidate's pages.
"""
