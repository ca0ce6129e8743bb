"""HR accounts: invitations, passwords and their reset links, two-factor codes, sign-in
lockouts, session lifetimes and sign-in through the company's identity provider.

Services only: they take the database session, the settings and the time as parameters; the
pages that use them are in app/admin (users.py for admins, login.py for the sign-in steps).
"""
