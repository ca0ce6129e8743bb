# Copy to instance/config.py and adjust. Defaults < this file < environment variables
# CAREERS_<NAME> (JSON-decoded, text settings kept as text) < create_app(config); see README.

# SECRET_KEY = "a long random string"          # required outside `make run`
# DATABASE_URL = "postgresql+psycopg://careers@localhost/careers"
# QUEUE_URL = "redis://localhost:6379/0"       # default: SQLite queue file in instance/
# UPLOAD_DIR = "/var/lib/careers/uploads"      # never under static/
# MAX_UPLOAD_MB = 10
# COMPANY_NAME = "Example Corp"
# COMPANY_URL = "https://example.com"
# CONSENT_TEXT = "I agree that my application data ..."
# CONSENT_VERSION = "2026-11-01"
# SHUTDOWN_GRACE_SECONDS = 6                   # on SIGTERM/Ctrl+C, running deliveries may finish

# Where applications are delivered. "local" keeps them in the built-in inbox.
# ATS = {"kind": "skailer", "base_url": "https://api.skailer.example", "token": "...",
#        "stage": "New", "source": "Careers site"}
ATS = {"kind": "local"}
