"""Matching: proposes support that fits the triaged grade as Movisie's Wegwijzer puts it (a
buddy, peer contact, a course, a Thuisgekookt home cook, an activity, a recovery college, a
safety net), from a registry tagged by grade, kind of loneliness and risk group, holding one
place for it; or puts the referral on the waitlist."""
