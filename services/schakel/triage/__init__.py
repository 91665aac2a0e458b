"""Triage: grades each referral (Movisie *Wegwijzer*), finds its district and names its owner."""
