"""Feedback (*terugkoppeling*): follows every referral, tells the signaler its progress without
personal details, and shows referrers and owners what happened to their referrals."""
