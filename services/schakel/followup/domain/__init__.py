"""Follow-up's rules, pure Python: the referral's state as a fold over its events, the state
machine that decides what an owner's command causes (or refuses it), and the deadlines."""
