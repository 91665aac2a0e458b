"""Follow-up's HTTP adapter, one router: the owners' inbox and actions (``owners``),
concerns about people already in care (``concerns``) and the answers to suspected duplicates
(``duplicates``), whose routes join the same router."""

from schakel.followup.api import concerns, duplicates, owners

router = owners.router

__all__ = ["concerns", "duplicates", "owners", "router"]
