"""Follow-up (*opvolging*): the owners' side of every referral, from acceptance to the end, as
one state machine with deadlines that never sleep."""
