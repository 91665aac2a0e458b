"""Follow-up's HTTP adapter, one router: the owners' inbox and actions (``owners``) and
concerns about people already in care (``concerns``, whose route joins the same router)."""

from schakel.followup.api import concerns, owners

router = owners.router

__all__ = ["concerns", "owners", "router"]
