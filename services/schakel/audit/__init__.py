"""Audit: archives every event exactly as written in a hash chain, verifies the chain, and shows
one referral's timeline to the organisations involved (every read of it recorded)."""
