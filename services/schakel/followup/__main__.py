"""Follow-up (*opvolging*): owners accept, contact, support and close every referral, and its
deadlines remind and escalate until they do."""

from schakel.followup.app import build, settings
from schakel.platform.runtime import serve

config = settings()
serve(build(config), config)
