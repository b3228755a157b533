"""Security services: password policy and hashing, one-time codes, safe redirects."""
