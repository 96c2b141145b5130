"""`python -m ddm_lang.serve [options]`: the render service without the `ddm` entry point."""

import sys

from .commands import main

sys.exit(main())
