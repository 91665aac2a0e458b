from feedback.app import build, settings
from schakel_platform.runtime import serve

config = settings()
serve(build(config), config)
