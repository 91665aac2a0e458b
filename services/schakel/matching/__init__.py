"""Matching: proposes a buddy (*maatje*), a Thuisgekookt home cook or a Welzijn-op-recept
activity with a free place for each triaged referral, or puts it on the waitlist."""
