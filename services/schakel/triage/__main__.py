from schakel.platform.runtime import serve
from schakel.triage.app import build, settings

config = settings()
serve(build(config), config)
