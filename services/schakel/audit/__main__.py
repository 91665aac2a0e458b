import sys

from schakel.audit.cli import main

sys.exit(main())
