"""`python -m ddm_lang.lsp`: the language server, as `ddm lsp` runs it."""

import sys

from .command import main

sys.exit(main())
