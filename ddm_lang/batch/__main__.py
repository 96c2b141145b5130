"""`python -m ddm_lang.batch --templates ... --catalogue ... --out ...` (as `ddm batch`)."""

import sys

from ddm_lang.batch.command import main

sys.exit(main())
