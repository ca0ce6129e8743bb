"""What each vendor documents it refuses, as checks the sandboxes apply (docs/ats/<vendor>.md)."""
