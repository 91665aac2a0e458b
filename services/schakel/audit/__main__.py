from schakel.audit.app import build, settings
from schakel.platform.runtime import serve

config = settings()
serve(build(config), config)
