"""The account flows, apart from the views: each is a small state machine whose state
lives in the signed session (the address it is about, never the code: codes live only as
keyed hashes in the database, see app/security/codes.py).

- signup: register → code sent → right code → verified and logged in (welcome page).
- reset: address → code sent → right code → grant → new password → logged out everywhere.
"""
