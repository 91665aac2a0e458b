from schakel_platform.runtime import serve
from triage.app import build, settings

config = settings()
serve(build(config), config)
