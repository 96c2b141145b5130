"""Copy for text boxes: the writer behind the `caption` operation.

    from ddm_lang.copy import Facts, write
    facts = Facts.from_product(product)
    headline = write("headline", facts, chars_per_line=12, max_lines=2)
    point = write("selling_point", facts, chars_per_line=16, max_lines=1,
                  used=headline.facts)

Every caption fits its box, states only facts present in the product data (see
`factuality`), and can come from a generation backend (`backends`) when one is
configured; the default is the offline writer. docs/copy.md describes the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddm_lang.lazy import loader

if TYPE_CHECKING:
    from .facts import Facts, Price
    from .factuality import is_factual, violations
    from .text import fits, width, wrap
    from .writer import KINDS, Backend, BackendError, Caption, Request, write

# Loaded on first use (PEP 562): the checker needs only `facts` and `prices`, not the writer.
_HOMES = {"Facts": ".facts", "Price": ".facts", "is_factual": ".factuality",
          "violations": ".factuality", "fits": ".text", "width": ".text", "wrap": ".text",
          "KINDS": ".writer", "Backend": ".writer", "BackendError": ".writer",
          "Caption": ".writer", "Request": ".writer", "write": ".writer"}
__all__ = ["KINDS", "Backend", "BackendError", "Caption", "Facts", "Price", "Request",
           "fits", "is_factual", "violations", "width", "wrap", "write"]

__getattr__ = loader(__name__, _HOMES, globals())
